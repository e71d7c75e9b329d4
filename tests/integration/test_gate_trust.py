"""The gate and ``fab status`` across the trust boundary, on a real server: what the deploy login writes is read as
data, never run, never printed raw (docs/security.md, "The gate, status and output").

One container, bootstrapped by the admin login (``appuser``, passwordless sudo), the example app deployed by
``deployer`` (no sudo), who then turns hostile -- with its own SSH login, no root:

- it replaces the live venv's ``python`` and a console script with wrappers, and drops a ``.pth`` into the live
  site-packages, each writing ``id`` to a marker file when run; and leaves a half-built release so that a check
  fails and the diagnostics run. An admin's read-only gate (``--no-deploy``, under sudo) must fail the venv python
  check and the files check, report its diagnostics, and never run any of them: no marker may appear.
- it writes escape codes (screen clear, an OSC 8 hyperlink, a bidi override, a carriage return) and newlines into
  the live release's ``RELEASE.json``. ``fab status`` must print one line per release, none of those characters
  raw, and the values visibly escaped.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from deploytests.containers import Fleet
from deploytests.examples import APPS
from deploytests.suite.lab import Lab, example_release

pytestmark = pytest.mark.integration
SUITE = Path(__file__).resolve().parents[2] / "deploytests" / "suite"
APP = APPS / "yourapplication"
MARKERS = "/tmp/dt-ran"  # a wrapper that runs leaves <MARKERS>-<what> with the output of `id`


@pytest.fixture(scope="module")
def lab():
    """One container: bootstrapped by the admin, the example app deployed by ``deployer`` (module-scoped: made
    before ``pytester`` snapshots ``sys.modules``)."""
    with Fleet(count=1, name_prefix="trust", progress=lambda msg: None) as fleet:
        box = Lab(fleet.servers[0], deploy_user="deployer")
        box.container = fleet.containers[0]
        box.bootstrap()
        box.release = box.deploy("yourapplication").release_id
        yield box


def as_deployer(lab, script: str) -> str:
    """Run ``script`` with the deploy login's own SSH session (no sudo): what a hostile deployer can do."""
    c = lab.login()
    try:
        res = c.run(f"sh -ec {shlex.quote(script)}", hide=True, warn=True, in_stream=False)
    finally:
        c.close()
    assert res.ok, res.stdout + res.stderr
    return res.stdout


def markers(lab) -> str:
    out = lab.container.exec_run(["sh", "-c", f"for f in {MARKERS}-*; do [ -e \"$f\" ] && echo \"$f: $(cat $f)\"; "
                                              "done; true"]).output.decode()
    return out.strip()


def read_only_gate(pytester, lab, *args: str):
    """The built-in gate, read-only, as the admin login (sudo), on the lab's server; the app as deployed there
    (the example, deployed by ``deployer``)."""
    s = lab.server
    app = example_release(pytester.path, "1.0")
    with (app / "deploy.toml").open("a") as f:
        f.write('deploy_user = "deployer"\n')
    pytester.makefile(".toml", targets=f"""
        [targets.ro]
        hosts = ["{s.user}@{s.host}:{s.port}"]
        identity_file = "{s.key_filename}"
        known_hosts = "{s.known_hosts}"
        base_url = "{s.base_url}"
        deploy = false
    """)
    return pytester.runpytest_subprocess(str(SUITE / "test_promises.py"), "--target", "ro", "--app", str(app),
                                         "--targets-file", str(pytester.path / "targets.toml"), "-p",
                                         "no:cacheprovider", "-rA", *args)


def test_swapped_interpreter_console_script_and_pth_fail_the_gate_and_never_run(pytester, lab):
    cfg = lab.config()
    venv = f"{cfg.root}/releases/{lab.release}/venv"
    site = f"{venv}/lib/python{lab.stack.python_version}/site-packages"
    wrapper = "#!/bin/sh\nid > {m}-{what}; chmod 666 {m}-{what}\nexec /usr/bin/python3 \"$@\"\n"
    as_deployer(lab, f"""
        rm {venv}/bin/python
        printf '%s' {shlex.quote(wrapper.format(m=MARKERS, what='python'))} > {venv}/bin/python
        chmod 755 {venv}/bin/python
        printf '%s' {shlex.quote(wrapper.format(m=MARKERS, what='flask'))} > {venv}/bin/flask
        echo "import os; os.system('id > {MARKERS}-pth')" > {site}/zz_hook.pth
        mkdir {cfg.root}/releases/29990101T000000Z-halfbuilt
    """)
    junit = pytester.path / "report.xml"
    result = read_only_gate(pytester, lab, "--no-deploy", f"--junitxml={junit}")
    out = result.stdout.str()
    assert markers(lab) == "", f"the gate ran a program of the app's tree:\n{markers(lab)}"
    failed = {line.split("::")[1].split("[")[0] for line in out.splitlines() if line.startswith("FAILED ")}
    assert {"test_venv_python_is_the_stacks_interpreter", "test_installed_files_match_artifact",
            "test_releases_pruned_and_complete"} <= failed, out[-4000:]
    assert "venv/bin/python is a regular file" in out and "not from the artifact: lib/" in out, out[-4000:]
    assert "changed: bin/flask" in out, out[-4000:]  # the console script, compared with the artifact's
    # the diagnostics ran (read, not run): the installed distributions come from METADATA
    assert "installed distributions (live venv, read from METADATA)" in out and "Flask==" in out, out[-4000:]
    assert "29990101T000000Z-halfbuilt" in out


def test_release_json_escapes_reach_the_terminal_as_visible_text(lab, tmp_path):
    cfg = lab.config()
    record = f"{cfg.root}/releases/{lab.release}/RELEASE.json"
    meta = json.loads(lab.sudo(f"cat {record}"))
    meta["version"] = "1.0\x1b[2J\x1b[H\r[ssh://appuser@web-1] * 29990101T000000Z-forged  9.9\nFORGED"
    meta["deployed_by"] = "\x1b]8;;https://evil.example/\x07root@vm\x1b]8;;\x07 \u202egnp.exe\x9b31m"
    meta["created_at"] = {"not": ["a", "date"]}  # any JSON value: shown as one line, never a traceback
    as_deployer(lab, f"cat > {record} <<'EOF'\n{json.dumps(meta)}\nEOF")
    s = lab.server
    (tmp_path / "fabfile.py").write_text("from deploytests.tasks import *  # noqa: F401,F403\n")
    env = dict(os.environ, DEPLOYTESTS_KNOWN_HOSTS=str(s.known_hosts), DEPLOYTESTS_APP=str(APP))
    fab = str(Path(sys.executable).with_name("fab"))  # this environment's, on PATH or not
    run = subprocess.run([fab, "-H", f"{s.user}@{s.host}:{s.port}", "-i", str(s.key_filename), "status"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    raw = [ch for ch in "\x1b\x07\r\x9b\u202e" if ch in out + run.stderr]
    assert not raw, f"raw control characters {raw!r} reached the terminal:\n{out!r}"
    host = f"[{s.user}@{s.host}:{s.port}]"
    assert all(line.startswith(host) for line in out.splitlines()), out  # no line the server made up
    releases = [line for line in out.splitlines() if line.startswith((f"{host} * ", f"{host}   "))]
    assert len(releases) == 1 and releases[0].startswith(f"{host} * {lab.release}"), out
    assert "1.0\\x1b[2J\\x1b[H\\x0d[ssh://appuser@web-1] * 29990101T000000Z-forged  9.9\\nFORGED" in out, out
    assert "\\x1b]8;;https://evil.example/\\x07root@vm" in out and "\\u202egnp.exe\\x9b31m" in out, out
    assert '{"not": ["a", "date"]}' in out, out


def test_a_link_the_deploy_login_plants_in_the_tree_is_never_followed_as_root(pytester, lab):
    """The deploy login swaps ``shared/`` for a link to a directory only root may list (``/root/secretstuff``, 0700,
    holding a config and a data dir). The probe stat'ed the tree's paths as root, and ``lstat`` follows a link in
    the middle of a path: the admin's gate printed ``shared/application.cfg: regular file 0600 root:root``, which
    the deploy login itself cannot see. Class: a link followed by a more trusted reader. The tree's paths are
    stat'ed by the tree's reader (the deploy user): the gate fails on the link and says nothing of what is behind."""
    cfg = lab.config()
    lab.container.exec_run(["sh", "-ec", "mkdir -m 700 /root/secretstuff /root/secretstuff/data; "
                                         "echo 'SECRET = 1' > /root/secretstuff/application.cfg; "
                                         "chmod 600 /root/secretstuff/application.cfg"])
    as_deployer(lab, f"mv {cfg.root}/shared {cfg.root}/shared.real && ln -s /root/secretstuff {cfg.root}/shared")
    try:
        out = read_only_gate(pytester, lab, "--no-deploy").stdout.str()
    finally:
        as_deployer(lab, f"rm {cfg.root}/shared && mv {cfg.root}/shared.real {cfg.root}/shared")
    assert "FAILED" in out and "shared" in out, out[-4000:]  # the link itself is a finding
    behind = [line for line in out.splitlines() if "root:root" in line and "/shared/" in line]
    assert not behind, "the gate described what lies behind the deploy login's link:\n" + "\n".join(behind)


def test_the_gates_root_program_reads_nothing_the_deploy_login_planted_and_bounds_its_walks(lab):
    """The deploy login plants in its tree what a reader can trip on: a fifo, a link to /etc/shadow, a 2 GiB
    sparse file, a release directory whose name carries a newline and a forged report line, and a directory
    chain deeper than the reader's walk goes. Class: root reading, following or parsing what a less trusted
    party wrote. The root collector takes names only and reads nothing below the tree's top (its reply lists
    every path it looked at); the tree reader, run as the deploy user, neither hangs on the fifo nor follows
    the link, reads the huge file bounded, and says in one line that its walk hit the depth bound."""
    from deploytests.verify import facts as F
    from deploytests.verify import reader

    cfg = lab.config()
    site = f"{cfg.root}/releases/{lab.release}/venv/lib/python{lab.stack.python_version}/site-packages"
    deep = "/".join(["d"] * (reader.DEPTH + 6))
    forged = "29990101T000000Z-x\n[appuser@web-1] * forged"
    as_deployer(lab, f"""
        mkfifo {site}/zz.fifo
        ln -s /etc/shadow {site}/zz_shadow.py
        truncate -s 2G {site}/zz_huge.bin
        mkdir -p {shlex.quote(cfg.root + '/releases/' + forged)} {cfg.root}/shared/{deep}
    """)
    try:
        args = F.probe_args(cfg, "deployer", lab.server.user, lab.stack)
        res = F.run_programs(lab.server, args, lab.stack.python)
        raw = F.read_root(res)
        touched = [p for p in list(raw["files"]) + list(raw["dirs"]) if p.startswith(cfg.root)]
        assert raw["uid"] == 0 and touched == [cfg.root], f"root looked into the deploy login's tree: {touched}"
        assert not any("shadow" in p for p in raw["files"] if p.startswith(cfg.root))
        tree = F.read_tree(res)
        assert tree["user"] == "deployer"  # the reader ran as the deploy user (sudo -u), not root
        facts = F.gather(lab.server, cfg, deploy_user="deployer")
        assert facts.error == "", facts.error
        why = facts["errors"]["tree"]
        assert f"deeper than {reader.DEPTH} levels" in why and "\n" not in why, why
        assert "29990101T000000Z-x\\n[appuser@web-1] * forged" in facts.tree["incomplete"]  # one line, shown
        hashes = facts.live["hashes"]
        assert any(k.endswith("zz_huge.bin") for k in hashes) and not any(k.endswith(("zz.fifo", "zz_shadow.py"))
                                                                           for k in hashes), sorted(hashes)[-5:]
    finally:
        as_deployer(lab, f"rm -rf {site}/zz.fifo {site}/zz_shadow.py {site}/zz_huge.bin "
                         f"{shlex.quote(cfg.root + '/releases/' + forged)} {cfg.root}/shared/d")
