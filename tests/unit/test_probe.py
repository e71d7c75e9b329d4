"""The fact probe's pure parts, run here on a temp tree (the same source runs on the servers), and the error
log filter of the diagnostics."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from deploytests.verify import probe
from deploytests.verify.diagnostics import FREEZE, SINCE_DEPLOY, script

RID = "20261128T020758Z-df7f7fcb"


def make_tree(tmp_path, *, version="1.0", record="1.0"):
    root = tmp_path / "app"
    release = root / "releases" / RID
    site = release / "venv" / "lib" / ("python%d.%d" % sys.version_info[:2]) / "site-packages"
    (site / "your_app-1.0.dist-info").mkdir(parents=True)
    (site / "your_app-1.0.dist-info" / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: your-app\nVersion: {version}\n")
    (site / "your_app").mkdir()
    (site / "your_app" / "__init__.py").write_text("x = 1\n")
    (root / "shared" / "data").mkdir(parents=True)
    os.symlink(root / "shared" / "data", release / "data")
    (release / "RELEASE.json").write_text(json.dumps({"id": RID, "name": "your-app", "version": record,
                                                      "manifest": {"name": "your-app"}}))
    (root / "releases" / "20990101T000000Z-halfbuilt").mkdir()
    (root / "releases" / "failed.log").write_text('{"release": "x", "reason": "refused"}\n')
    os.symlink(f"releases/{RID}", root / "current")
    return root, site


def test_tree_facts_read_the_live_release_without_running_it(tmp_path):
    root, site = make_tree(tmp_path, version="1.0.dev1")
    facts = probe.tree_facts({"root": str(root), "shared_paths": ["data"]})
    live = facts["live"]
    assert (facts["current"], live["id"], live["installed_version"]) == (f"releases/{RID}", RID, "1.0.dev1")
    assert facts["releases"][RID]["has_manifest"] and live["manifest"] == {"name": "your-app"}
    assert facts["incomplete"] == ["20990101T000000Z-halfbuilt"] and len(facts["failed"]) == 1
    assert sorted(p.rsplit("/", 2)[-2] for p in live["hashes"]) == ["your_app", "your_app-1.0.dist-info"]
    assert live["shared"]["data"]["kind"] == "symbolic link" and live["loose_count"] == 0
    os.chmod(site / "your_app" / "__init__.py", 0o666)
    loose = probe.tree_facts({"root": str(root), "shared_paths": ["data"]})["live"]
    assert loose["loose_count"] == 1 and "your_app/__init__.py 0666" in loose["loose"][0]


def test_nothing_deployed_and_lstat_facts(tmp_path):
    (tmp_path / "app" / "releases").mkdir(parents=True)
    facts = probe.tree_facts({"root": str(tmp_path / "app")})
    assert facts["current"] is None and facts["live"] is None and facts["releases"] == {}
    assert probe.lstat_facts(str(tmp_path / "nope")) == {"kind": "missing"}
    os.symlink("/etc/shadow", tmp_path / "link")
    assert probe.read_nofollow(str(tmp_path / "link")) is None  # never through a link
    assert probe.lstat_facts(str(tmp_path / "link"))["target"] == "/etc/shadow"


def test_dist_version_normalizes_names(tmp_path):
    (tmp_path / "Flask_Login-0.6.3.dist-info").mkdir()
    (tmp_path / "Flask_Login-0.6.3.dist-info" / "METADATA").write_text("Name: Flask-Login\nVersion: 0.6.3\n")
    assert probe.dist_version(str(tmp_path), "flask-login") == "0.6.3"
    assert probe.dist_version(str(tmp_path), "flask") is None


def test_error_log_since_the_deploy_began(tmp_path):
    log = tmp_path / "error.log"
    log.write_text("[Sat Nov 28 01:00:00.000001 2026] [wsgi:error] bootstrap noise\n"
                   "Fatal Python error: init_fs_encoding\n"
                   "[Sat Nov 28 02:07:59.123456 2026] [wsgi:error] after the deploy\n"
                   "Traceback: continuation line\n")
    out = subprocess.run([sys.executable, "-c", SINCE_DEPLOY, "2026-11-28T02:07:58+00:00", str(log)],
                         capture_output=True, text=True, env=dict(os.environ, TZ="UTC")).stdout
    assert out == ("[Sat Nov 28 02:07:59.123456 2026] [wsgi:error] after the deploy\n"
                   "Traceback: continuation line\n")
    assert "tail -c +1235 /var/log/apache2/error.log" in script("app", "/var/www/app", since=1234)


def test_diagnostics_script_is_valid_shell_and_parses_into_its_sections(tmp_path):
    text = script("yourapplication", "/var/www/yourapplication", since=10)
    assert subprocess.run(["sh", "-n", "-c", text], capture_output=True, text=True).returncode == 0
    titles = re.findall(r"echo '@@DT-SECTION ([^']*)'", text)
    assert titles[:2] == ["Apache error log since verification began (byte 10)",
                          "Apache error log since the deploy of the live release began"]


def test_freeze_program_lists_this_venv_as_name_equals_version():
    out = subprocess.run([sys.executable, "-c", FREEZE], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines == sorted(lines) and all("==" in line for line in lines)
    assert any(line.lower().startswith("pytest==") for line in lines)


def test_error_log_program_refuses_a_release_without_a_date(tmp_path):
    (tmp_path / "error.log").write_text("[Sat Nov 28 01:00:00.000001 2026] [wsgi:error] noise\n")
    run = subprocess.run([sys.executable, "-c", SINCE_DEPLOY, "", str(tmp_path / "error.log")],
                         capture_output=True, text=True)
    assert run.returncode == 1 and run.stdout == ""
    assert "no live release to date its deploy by" in run.stderr
