"""The promise checks as pure functions of recorded facts (no Docker): a clean server passes every check; each
basic fact wrong fails once and skips its dependents; each kind of fault fails the check of its promise, with a
message naming what was expected and what was found; legitimate states of the pipeline pass."""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.faults.catalogue import FAULTS, render, values_for
from deploytests.verify.facts import PRIVATE, Facts
from deploytests.verify.promises import (
    BASICS,
    BY_ID,
    CHECKS,
    PROMISES,
    Expected,
    NotApplicable,
    static_paths,
    table,
    verify,
)
from tests.unit.stock import LOADS, LOGINS, with_cross_origin, with_stock_loads, with_stock_logins

ROOT = Path(__file__).resolve().parents[2]
APP = APPS / "yourapplication"
RECORDED = json.loads((Path(__file__).parent / "data" / "facts-clean.json").read_text())
LIVE = RECORDED["tree"]["current"].split("/")[-1]
R = "/var/www/yourapplication"


def response(status=200, release=LIVE, body="ok", path="/"):
    resp = requests.Response()
    resp.status_code, resp._content, resp.url = status, body.encode(), f"http://127.0.0.1:8080{path}"
    resp.headers["Content-Type"] = "text/plain"
    if release:
        resp.headers["X-Deploy-Release"] = release
    resp.request = requests.Request("GET", resp.url).prepare()
    return resp


def clean_facts() -> Facts:
    responses = {"/": response(body="yourapplication 1.0"), "/health": response(body='{"status":"ok"}')}
    responses.update({p: response(404, release=None, body="Not Found", path=p) for p in PRIVATE})
    css = (APP / "yourapplication" / "static" / "style.css").read_text()
    responses.update({p: response(404, release=None, body="Not Found", path=p) for p in static_paths(load_config(APP))})
    responses["/static/style.css"] = response(release=None, body=css, path="/static/style.css")
    responses["/static/style.css"].headers["Content-Type"] = "text/css"
    return with_cross_origin(Facts("docker://web-1", remote=copy.deepcopy(RECORDED), responses=responses))


def artifact(sha=None, manifest=None):
    meta = RECORDED["tree"]["releases"][LIVE]
    return SimpleNamespace(sha256=sha or meta["artifact_sha256"], version="1.0", name="yourapplication",
                           manifest=manifest if manifest is not None else RECORDED["tree"]["live"]["manifest"],
                           path=None)


@pytest.fixture
def exp():
    cfg = load_config(APP)
    e = Expected.from_config(cfg, "appuser", artifact=lambda version: artifact())
    return e


def outcome(pid, facts, exp):
    try:
        verify(pid, facts, exp)
    except NotApplicable as why:
        return f"skip: {why}"
    except AssertionError as failed:
        return f"fail: {failed}"
    return "pass"


NEEDS_ARTIFACT_TREE = {"files"}  # compares with the artifact's own files: judged in the integration run


def test_clean_server_passes_every_promise(exp):
    facts = clean_facts()
    results = {p.id: outcome(p.id, with_stock_logins(clean_facts()) if p.id in LOGINS else with_stock_loads(
        clean_facts()) if p.id in LOADS else facts, exp) for p in PROMISES if p.id not in NEEDS_ARTIFACT_TREE}
    assert {k: v for k, v in results.items() if v != "pass"} == {}


@pytest.mark.parametrize("fact, breaks, message", [
    ("host", lambda f: setattr(f, "error", "ConnectError: cannot reach 127.0.0.1:2222"), "could not be asked"),
    ("apache", lambda f: f.remote.update(apache=[]), "Apache is not running"),
    ("tree", lambda f: f.remote["stat"].update({R: {"kind": "missing"}}), "not bootstrapped"),
    ("live", lambda f: f.remote["tree"].update(current=None), "nothing deployed"),
])
def test_a_wrong_basic_fact_fails_once_and_skips_its_dependents(exp, fact, breaks, message):
    facts = clean_facts()
    breaks(facts)
    results = {p.id: outcome(p.id, facts, exp) for p in PROMISES if p.id not in NEEDS_ARTIFACT_TREE}
    root_test = BASICS[fact][0]
    root = next(p.id for p in PROMISES if p.test == root_test)
    assert results[root].startswith("fail") and message in results[root], results[root]
    dependents = {pid for pid, r in results.items()
                  if r.startswith("skip") and f"(the root failure is {root_test})" in r}
    assert dependents, results
    if fact == "tree":
        assert {"shared", "config", "wsgi", "vhost", "current", "installed"} <= dependents, dependents
    others = {pid: r for pid, r in results.items() if r.startswith("fail") and pid != root}
    # only checks that read the broken fact themselves may fail beside the root (e.g. HTTP without Apache...)
    assert others == {}, others


def test_installed_version_altered_fails_naming_both_versions(exp):
    facts = clean_facts()
    facts.remote["tree"]["live"]["installed_version"] = "1.0.dev1"
    result = outcome("installed", facts, exp)
    assert result.startswith("fail") and "yourapplication 1.0.dev1 is installed" in result and \
        "records version 1.0" in result, result


def test_debians_it_works_page_is_not_the_app(exp):
    facts = clean_facts()
    facts.responses["/"] = response(200, release=None, body="<title>Apache2 Debian Default Page: It works</title>")
    result = outcome("homepage", facts, exp)
    assert result.startswith("fail") and "X-Deploy-Release is None" in result and "It works" in result, result


def test_a_403_is_said_refused_by_an_access_rule_not_another_site(exp):
    """M6 (blind5's x01): a 403 from an access rule in force (an <If> in a conf) is not 'another site answered'."""
    facts = clean_facts()
    facts.responses["/"] = response(403, release=None, body="Forbidden")
    result = outcome("homepage", facts, exp)
    assert "Apache refused it before the app (an access rule in force" in result and "another site" not in result


def test_after_a_rollback_the_older_live_release_is_no_false_alarm(exp):
    """current is not the newest release, and another build than this project's is live: both legitimate."""
    facts = clean_facts()
    newer = "29990101T000000Z-abcdef12"
    facts.remote["tree"]["releases"][newer] = dict(facts.remote["tree"]["releases"][LIVE], id=newer)
    exp.artifact = lambda v: artifact(sha="f" * 64, manifest={"other": "build"})
    results = {p.id: outcome(p.id, facts, exp) for p in PROMISES}
    assert not [r for r in results.values() if r.startswith("fail")], results
    assert results["artifact"].startswith("skip: the live release came from artifact")


def test_a_record_altered_under_the_same_build_is_caught(exp):
    """Packing is deterministic: the same manifest with another sha256 means the record was altered."""
    facts = clean_facts()
    facts.remote["tree"]["releases"][LIVE]["artifact_sha256"] = "0" * 64
    assert outcome("artifact", facts, exp).startswith("fail: current/RELEASE.json says")


def test_a_deploy_run_requires_its_own_artifact_live(exp):
    exp.deployed_release, exp.artifact = "29990101T000000Z-abcdef12", artifact(sha="f" * 64, manifest={})
    assert "this run deployed it as 29990101T000000Z-abcdef12" in outcome("artifact", clean_facts(), exp)


def test_half_built_release_is_a_fault_only_without_a_deploy_holding_the_lock(exp):
    facts = clean_facts()
    facts.remote["tree"]["incomplete"] = ["29990101T000000Z-halfbuilt"]
    assert outcome("prune", facts, exp).startswith("fail: release dirs without RELEASE.json")
    facts.remote["lock_held"] = True
    assert outcome("prune", facts, exp) == "pass"


def test_daemons_started_before_the_switch_are_stale(exp):
    facts = clean_facts()
    facts.remote["stat"][f"{R}/current"]["mtime"] = max(d["started"] for d in facts.remote["daemons"]) + 5
    assert "were not restarted since" in outcome("daemon_code", facts, exp)


def test_without_sudo_the_root_only_checks_skip_with_the_reason(exp):
    facts = clean_facts()
    facts.remote["as_root"] = False
    for p in PROMISES:
        if p.root_only:
            assert outcome(p.id, facts, exp).startswith("skip: appuser on docker://web-1 has no passwordless sudo")


def test_every_promise_has_a_check_a_suite_test_and_a_fault():
    suite = (ROOT / "deploytests" / "suite" / "test_promises.py").read_text()
    tests = set(re.findall(r"^def (test_\w+)\(promise\):\n    promise\(\"(\w+)\"\)", suite, re.M))
    assert tests == {(p.test, p.id) for p in PROMISES}
    assert set(CHECKS) == set(BY_ID)
    broken = {f.promise for f in FAULTS}
    assert broken == set(BY_ID), f"promises without a fault: {set(BY_ID) - broken}"
    assert len(FAULTS) >= 30 and len({f.id for f in FAULTS}) == len(FAULTS)


def test_every_fault_renders_with_the_values_of_a_deployed_server():
    cfg = load_config(APP)
    values = values_for(cfg, login="appuser", deploy_user="appuser", live=LIVE, prev="20000101T000000Z-00000000",
                        python_version="3.11", artifact=artifact())
    for fault in FAULTS:
        text = render(fault, values)
        assert "{" not in text.replace("${i}", "") and text.strip(), (fault.id, text)
    with pytest.raises(ValueError, match="not a plain path or name"):
        render(FAULTS[0], dict(values, login="x; rm -rf /"))


def test_docs_promise_table_is_current():
    docs = (ROOT / "docs" / "promises.md").read_text()
    assert table() in docs, "docs/promises.md is stale: paste deploytests.verify.promises.table() into it"


def test_docs_fault_table_is_current():
    from deploytests.faults.catalogue import table as fault_table

    docs = (ROOT / "docs" / "promises.md").read_text()
    assert fault_table() in docs, "docs/promises.md is stale: paste deploytests.faults.catalogue.table() into it"


def test_sudoers_accepts_exactly_root_agents_one_rule_and_nothing_wider(exp):
    facts = clean_facts()
    assert outcome("sudoers", facts, exp) == "pass"
    text = facts.remote["sudoers"]["text"]
    widened = [text.replace("NOPASSWD: /var/www/yourapplication/releases/*/venv/bin/python", "NOPASSWD: ALL"),
               text.replace("(yourapplication)", "(ALL)"),
               text + "appuser ALL=(root) NOPASSWD: /usr/bin/apt-get\n",
               text + "appuser ALL=(root) NOPASSWD: /usr/bin/python3 -I /var/lib/deploytests/agent_root.py config "
                      "yourapplication\n",  # the config helper of before issue 16: root no longer answers deploys
               "appuser ALL=(ALL) NOPASSWD: ALL\n"]
    for found in widened:
        facts.remote["sudoers"]["text"] = found
        result = outcome("sudoers", facts, exp)
        assert result.startswith("fail") and "must grant only what deploys run" in result, (found, result)


def test_the_stacks_python_is_expected_of_mod_wsgi_python_home_and_live_venv(exp):
    from deploytests.stacks import get

    facts = clean_facts()
    assert outcome("python", facts, exp) == "pass"
    facts.remote["tree"]["live"]["venv_version"] = "3.13"
    result = outcome("python", facts, exp)
    assert result.startswith("fail") and "serves with Python 3.11" in result and "current/venv is 3.13" in result
    trixie = Expected.from_config(load_config(APP), "appuser", stack=get("debian13-apache-wsgi"))
    result = outcome("python", clean_facts(), trixie)
    assert result.startswith("fail") and "Debian 13 (trixie) serves with Python 3.13" in result, result


def test_the_daemons_mapped_libpython_is_the_stacks(exp):
    facts = clean_facts()
    for d in facts.remote["daemons"]:
        d["exe"], d["libpython"] = "/usr/sbin/apache2", ["/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"]
    assert outcome("python", facts, exp) == "pass"
    facts.remote["daemons"][0]["libpython"] = ["/opt/evil/libpython3.9.so.1.0"]
    result = outcome("python", facts, exp)
    assert result.startswith("fail") and "daemons have mapped libpython ['3.11', '3.9']" in result, result


def test_the_python_apaches_parent_has_mapped_is_the_stacks(exp):
    """What mod_wsgi embeds is read from Apache's root processes' ``/proc/<pid>/maps`` (the effect, not the
    module file); no Apache process: nothing to say here (test_apache_running says it)."""
    from deploytests.verify.parse import Procs, Snapshot

    maps = "7f00-7f10 r-xp 00000000 08:01 12 /usr/lib/x86_64-linux-gnu/libpython{}.so.1.0\n"
    proc = {"1": {"uid": 0, "exe": "/usr/sbin/apache2", "maps": maps.format("3.9")},
            "2": {"uid": 33, "exe": "/usr/sbin/apache2", "maps": maps.format("3.7")}}  # a worker: not root's
    assert Procs(Snapshot({"proc": proc})).mapped_pythons("/usr/sbin/apache2") == ["3.9"]
    assert Procs(Snapshot({"proc": {}})).mapped_pythons("/usr/sbin/apache2") is None
    facts = clean_facts()
    facts.remote["pythons"]["mod_wsgi"] = ["3.9"]
    result = outcome("python", facts, exp)
    assert result.startswith("fail") and "Apache's parent (mod_wsgi) has mapped libpython ['3.9']" in result, result
    facts.remote["pythons"]["mod_wsgi"] = None
    assert outcome("python", facts, exp) == "pass"


def swapped(found, **python):
    found.remote["tree"]["live"]["python"] = python
    return found


def test_the_venv_python_is_judged_by_its_links_never_run(exp):
    assert outcome("venv_python", clean_facts(), exp) == "pass"
    wrapper = swapped(clean_facts(), hops=[], target=f"{R}/releases/{LIVE}/venv/bin/python", root_owned=False,
                      facts={"kind": "regular file", "mode": "0755", "owner": "appuser", "group": "appuser"})
    result = outcome("venv_python", wrapper, exp)
    assert result.startswith("fail") and "is a regular file" in result and "not a link" in result, result
    elsewhere = clean_facts()
    hops = elsewhere.remote["tree"]["live"]["python"]["hops"]
    hops[1]["to"] = "/home/appuser/python3"
    elsewhere.remote["tree"]["live"]["python"].update(target="/home/appuser/python3", root_owned=False)
    result = outcome("venv_python", elsewhere, exp)
    assert result.startswith("fail") and "resolves to /home/appuser/python3" in result, result
    via_link = clean_facts()
    via_link.remote["tree"]["live"]["python"]["hops"][2].update(owner="appuser", dir_root_owned=False)
    result = outcome("venv_python", via_link, exp)
    assert result.startswith("fail") and "through links not root's: ['/usr/bin/python3']" in result, result
    loop = swapped(clean_facts(), hops=hops, error="more than 8 links from x")
    assert "does not resolve: more than 8 links" in outcome("venv_python", loop, exp)


def test_platform_facts_come_from_the_stack(exp):
    import dataclasses

    from deploytests.stacks import DEFAULT

    odd = dataclasses.replace(DEFAULT, apache=dataclasses.replace(DEFAULT.apache, default_site="zz-default"),
                              nologin_shells=("/bin/false",), wsgi_module="wsgi5")
    other = Expected.from_config(load_config(APP), "appuser", stack=odd)
    facts = clean_facts()
    facts.remote["sites_enabled"].append("zz-default.conf")
    assert "zz-default site is enabled" in outcome("sites", facts, other)
    assert "has a login shell: /usr/sbin/nologin" in outcome("app_user", facts, other)
    assert "wsgi5_module is not among" in outcome("mod_wsgi", facts, other)


def test_config_is_compared_with_this_hosts_file_of_a_config_directory(tmp_path):
    cfg = load_config(APP)
    (tmp_path / "127.0.0.1.cfg").write_text("SECRET_KEY = 'this host'\n")
    (tmp_path / "other.cfg").write_text("SECRET_KEY = 'another host'\n")
    cfg = cfg.with_config_file(tmp_path)
    mine = Expected.from_config(cfg, "appuser", host="127.0.0.1", port=2222)
    assert mine.config_file == tmp_path / "127.0.0.1.cfg"
    facts = clean_facts()
    facts.remote["config_sha256"] = mine.config_sha256
    assert outcome("config", facts, mine) == "pass"
    theirs = Expected.from_config(cfg, "appuser", host="other", port=22)
    assert outcome("config", facts, theirs).startswith("fail: ")
    missing = Expected.from_config(cfg, "appuser", host="10.0.0.9", port=22)
    assert "no config for host 10.0.0.9" in outcome("config", facts, missing)


def test_a_mixed_fleet_compares_each_server_with_the_artifact_of_its_python(exp):
    exp.artifact = {"3.11": artifact(), "3.13": artifact(sha="d" * 64, manifest={"other": "build"})}
    assert exp.artifact_for("3.11").sha256 != exp.artifact_for("3.13").sha256
    assert outcome("artifact", clean_facts(), exp) == "pass"


def test_config_promises_apply_only_when_the_app_has_a_config_and_say_so(exp):
    """Issue 18.2: an app that reads no config passes the gate; the config promises are skipped, saying why."""
    from dataclasses import replace

    facts = clean_facts()
    del facts.remote["stat"][f"{R}/shared/application.cfg"]
    facts.remote["config_sha256"] = None
    bare = replace(exp, cfg=replace(exp.cfg, config_file=None), config_file=None, config_sha256=None)
    for pid in ("config_mode", "config"):
        assert outcome(pid, facts, bare) == "skip: the app has no config file (config_file unset): the config " \
                                            "promises do not apply"
    assert outcome("config_mode", facts, exp).startswith("fail: expected")  # with a config, a missing one fails


def test_a_deploy_lock_others_may_open_fails_saying_what_it_means(exp):
    """A lock others may open is one the app may hold (flock needs only an open fd): the line says so, and what
    makes it 0600; a 0600 lock passes."""
    facts = clean_facts()
    facts.remote["stat"][f"{R}/.deploy.lock"]["mode"] = "0644"
    found = outcome("tree", facts, exp)
    assert found.startswith("fail: expected") and "the app may hold the deploy lock" in found, found
    assert f"chmod 600 {R}/.deploy.lock" in found
    assert outcome("tree", clean_facts(), exp) == "pass"


@pytest.mark.parametrize("spec, caught", [
    # a blind fault: the directory holding the app's root given to Apache's user ('so the CMS can write')
    ({"mode": "0755", "owner": "www-data", "group": "www-data"}, True),
    # other members: group-writable for a team, an ACL entry's write (its mask in the group bits), world-writable
    ({"mode": "0775", "owner": "root", "group": "adm"}, True),
    ({"mode": "0777", "owner": "root", "group": "root"}, True),
    ({"mode": "0755", "owner": "root", "group": "root"}, False),
    ({"mode": "1777", "owner": "root", "group": "root"}, False),  # (sticky: no one renames another's root)
    ({"mode": "0755", "owner": "appuser", "group": "appuser"}, False)])  # (the deploy login's own: its tree anyway)
def test_a_directory_above_the_apps_root_someone_else_may_change_fails(exp, spec, caught):
    facts = clean_facts()
    parent = R.rsplit("/", 1)[0]
    for d in (parent, "/var", "/"):
        facts.remote["stat"][d] = {"kind": "directory", "mode": "0755", "owner": "root", "group": "root"}
    assert outcome("tree", facts, exp) == "pass"
    facts.remote["stat"][parent] = dict(spec, kind="directory")
    found = outcome("tree", facts, exp)
    assert (f"{parent}: directory {spec['mode']} {spec['owner']}:{spec['group']} holds the app's root" in found) \
        == caught, found


def test_a_missing_tree_path_is_one_line_expected_and_found(exp):
    # attack5 #8: .deploy.lock removed; the expected record names no group: _describe raised KeyError 'group'.
    # Class: a formatter that assumed a complete stat record; its other callers get partial records too.
    facts = clean_facts()
    del facts.remote["stat"][f"{R}/.deploy.lock"]
    found = outcome("tree", facts, exp)
    assert found.startswith("fail: ") and f"expected {R}/.deploy.lock: regular file 0600 appuser:?" in found
    assert f"found {R}/.deploy.lock: missing" in found
    facts = clean_facts()
    facts.remote["stat"][f"{R}/application.wsgi"] = {"kind": "regular file", "mode": "0600"}  # no owner, no group
    assert f"found {R}/application.wsgi: regular file 0600 ?:?" in outcome("tree", facts, exp)


def test_what_the_daemons_load_changed_after_they_started_fails_by_ctime(exp):
    # attack5 #2 (load-then-restore): a module changed, loaded by the daemons, then put back with its old mtime.
    # Only the ctime keeps the change: it must be no later than the oldest daemon's start.
    facts = clean_facts()
    assert outcome("loaded", facts, exp) == "pass"
    first = min(d["started"] for d in facts.remote["daemons"])
    site = f"{R}/releases/{LIVE}/venv/lib/python3.11/site-packages/yourapplication/__init__.py"
    facts.remote["loaded"] = {"ctime": first + 0.5, "path": site, "entries": 2211}
    found = outcome("loaded", facts, exp)
    assert found.startswith(f"fail: {site} changed at ") and "after the app's mod_wsgi daemon" in found
    assert "Reload them" in found
    facts.remote["loaded"] = None  # the reader could not date them: named, never a pass
    facts.remote["errors"] = dict(facts.remote.get("errors") or {}, loaded="PermissionError: ...")
    assert outcome("loaded", facts, exp).startswith("fail: the tree reader could not date what the daemons load: "
                                                     "PermissionError")


def test_sudo_noexec_is_named_when_root_was_refused_running_a_program(exp):
    """M1 (blind5's d28): ``Defaults noexec`` makes the root collector's programs fail with PermissionError; the
    line names the sudoers line (renamed file, the NOEXEC: tag too), not only the error."""
    for rule in ({"file": "/etc/sudoers.d/zz-hardening", "line": 3, "text": "Defaults noexec"},
                 {"file": "/etc/sudoers.d/ops", "line": 1, "text": "admin ALL=(ALL) NOEXEC: ALL"}):
        facts = clean_facts()
        facts.remote["errors"] = {"root: runs": "PermissionError: [Errno 13] Permission denied: '/usr/sbin/apache2ctl'"}
        facts.remote["inventory"]["sudoers"] = [rule]
        found = outcome("host", facts, exp)
        assert f"root was refused running a program: {rule['file']}:{rule['line']}: {rule['text']!r}: sudo's noexec" \
            in found, found
    facts.remote["errors"] = {"tree": "x: not listed (Permission denied); not looked at"}
    assert "noexec" not in outcome("host", facts, exp)


def test_a_directory_of_the_tree_the_deploy_user_cannot_list_is_named_with_its_owner(tmp_path, monkeypatch):
    """M2 (blind5's d22): a root-owned ``.configs`` reads as 'not listed'; the line now says whose it is and that
    the deploys writing there fail."""
    from deploytests.verify import reader

    (tmp_path / ".configs").mkdir()
    real_walk = os.walk

    def walk(top, onerror=None):
        onerror(PermissionError(13, "Permission denied", str(tmp_path / ".configs")))
        yield from real_walk(top)
    monkeypatch.setattr(reader.os, "walk", walk)
    monkeypatch.setattr(reader.os, "getuid", lambda: 65534)  # the deploy user is not the dir's owner (root here)
    bounds: list = []
    list(reader.walk(str(tmp_path), bounds))
    owner = reader.name_of(reader.pwd.getpwuid, (tmp_path / ".configs").stat().st_uid)
    mode = "%04o" % ((tmp_path / ".configs").stat().st_mode & 0o7777)
    assert bounds[0].startswith(f"{tmp_path}/.configs: not listed (Permission denied) ({mode} {owner}:") and \
        ": not this user's (nobody): a deploy that writes in it fails); not looked at" in bounds[0], bounds


def _acl(*entries) -> str:
    """A ``system.posix_acl_*`` xattr's bytes as the tree reader sends them (hex), entries ``(tag, perm, id)``."""
    return (b"\2\0\0\0" + b"".join(t.to_bytes(2, "little") + p.to_bytes(2, "little") + i.to_bytes(4, "little")
                                   for t, p, i in entries)).hex()


NOBODY = 0xFFFFFFFF
CFG = f"{R}/shared/application.cfg"


@pytest.mark.parametrize("where, kind, entries, shown", [
    # blind9's h10: setfacl -m u:www-data:r on the config (mode still listed 0640)
    (CFG, "access", [(1, 6, NOBODY), (2, 4, 33), (4, 4, NOBODY), (0x10, 4, NOBODY), (0x20, 0, NOBODY)],
     f"{CFG}: its ACL has user:www-data:r (the mode shows only the ACL's mask): www-data reads the app's secrets"),
    # other members: a named group (adm) on a kept config; a default ACL on shared/ (the next config gets it)
    (f"{R}/.configs/" + "a" * 64, "access", [(1, 6, NOBODY), (4, 4, NOBODY), (8, 4, 4), (0x10, 4, NOBODY),
                                             (0x20, 0, NOBODY)], "its ACL has group:adm:r"),
    (f"{R}/shared", "default", [(1, 7, NOBODY), (2, 4, 33), (4, 5, NOBODY), (0x10, 5, NOBODY), (0x20, 0, NOBODY)],
     f"{R}/shared: its default ACL has user:www-data:r (every file made there later, the next config a deploy "
     "writes included, gets it)"),
    # pass: a grant the mask cuts; the deploy login named (its own file); a directory's search grant
    (CFG, "access", [(1, 6, NOBODY), (2, 4, 33), (4, 4, NOBODY), (0x10, 0, NOBODY), (0x20, 0, NOBODY)], None),
    (CFG, "access", [(1, 6, NOBODY), (2, 4, 1000), (4, 4, NOBODY), (0x10, 4, NOBODY), (0x20, 0, NOBODY)], None),
    (f"{R}/shared", "access", [(1, 7, NOBODY), (2, 1, 33), (4, 5, NOBODY), (0x10, 5, NOBODY), (0x20, 0, NOBODY)],
     None),
])
def test_an_acl_that_lets_another_user_read_the_apps_secrets_fails(exp, where, kind, entries, shown):
    """blind9's h10: 'setfacl -m u:www-data:r' on the config let Apache's workers read SECRET_KEY while the config
    still listed as 0640 (a mode shows only the ACL's mask); the gate caught it only by the ctime it moved. Who
    reads the app's secrets is judged by the mode and the ACL together (the tree reader sends the config's, the
    kept configs' and their directories' ACLs): a named user or group other than the deploy login, the app user
    and the app's group with read fails, and so does a default ACL that gives it to every config written later."""
    from test_root_reach import host

    facts = host("debian12")
    facts.remote.update({k: v for k, v in clean_facts().remote.items() if k not in facts.remote})
    facts.remote["secret_acls"] = {where: {kind: _acl(*entries)}}
    found = outcome("config_mode", facts, exp)
    assert (found == "pass") if shown is None else (found.startswith("fail: ") and shown in found), found
    assert found.count("\n- ") <= 1 and "setfacl -" in found if shown else True


def test_the_tree_reader_sends_the_acls_of_the_apps_secrets(tmp_path):
    """The reader reads each ACL where the secrets are (any user who may look a path up may read it)."""
    from deploytests.verify import reader

    cfg = tmp_path / "shared" / "application.cfg"
    cfg.parent.mkdir()
    cfg.write_text("SECRET_KEY = 'x'\n")
    grant = _acl((1, 6, NOBODY), (2, 4, 33), (4, 4, NOBODY), (0x10, 4, NOBODY), (0x20, 0, NOBODY))
    os.setxattr(cfg, "system.posix_acl_access", bytes.fromhex(grant))
    os.setxattr(cfg.parent, "system.posix_acl_default", bytes.fromhex(grant))
    found = reader.secret_acls(str(tmp_path), str(cfg))
    assert found[str(cfg)] == {"access": grant} and found[str(cfg.parent)] == {"default": grant}, found
    # as the runner takes the reply (its strings made safe: raw bytes with controls would not survive; hex does)
    from deploytests import untrusted

    assert untrusted.data(found) == found


def test_a_run_that_deploys_nothing_compares_with_the_runners_artifact_its_record_names(exp, monkeypatch, tmp_path):
    """A run that deploys nothing packs nothing (packing runs the project's build here): the provenance checks take
    the artifact the live RELEASE.json names from the artifacts this runner packed, and without it skip in one line
    naming both checks and the file to put where (said once in the drift section too)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    exp.artifact, facts = None, clean_facts()
    sha = RECORDED["tree"]["releases"][LIVE]["artifact_sha256"]
    for pid in ("artifact", "files"):
        said = outcome(pid, facts, exp)
        assert said.startswith(f"skip: live release {LIVE}: its artifact {sha[:12]} not compared "
                               "(test_release_json_matches_artifact, test_installed_files_match_artifact skip)"), said
        assert f"(yourapplication-1.0-{sha[:8]}.tar) in {tmp_path}/deploytests/artifacts to compare" in said
    assert [n for n in facts.notes if n.startswith("live release")] == [said[len("skip: "):]]
    from deploytests.verify import promises

    monkeypatch.setitem(promises._BY_SHA, sha, artifact())  # (as the runner's file of that sha256 is read once)
    assert outcome("artifact", clean_facts(), exp) == "pass"


@pytest.mark.parametrize("loose, place", [
    # Django's MEDIA_ROOT = BASE_DIR / "media": a dir the app user made in the release, its uploads below
    (["media 0750 yourapplication", "media/upload.png 0644 yourapplication"], "media"),
    # a cache dir the deploy login made writable for the app (2770, the app's group), a SQLite db the app wrote
    (["yourapplication/cache 2770 appuser", "yourapplication/cache/app.sqlite3 0644 yourapplication"],
     "yourapplication/cache"),
])
def test_a_live_release_the_app_writes_into_is_one_line_naming_the_shared_path(exp, loose, place):
    """A read-only gate on a server whose live release already holds the app's data (its files, the app user's: the
    deploy login cannot give a file away) said 'the app user could change the code it runs' and, at the next upload,
    'what the daemons run may not be what is on disk': two lines, neither saying what it is. Class: the app writes
    into its release (its data lost at the next deploy or rollback). One line naming the place and the
    shared_paths entry to write; what the daemons load is not dated while the app's own data is the newest."""
    facts = clean_facts()
    live = facts.remote["tree"]["live"]
    live["loose"], live["loose_count"] = loose + ["venv/lib 0777 appuser"], len(loose) + 1
    said = outcome("code_mode", facts, exp)
    assert said.startswith(f"fail: the app writes into its live release {LIVE}: {place} (files of yourapplication, "
                           "not the deploy's): what it writes there is lost at the next deploy or rollback"), said
    assert f"list {place!r} in deploy.toml's shared_paths" in said
    assert said.endswith("\n  also not appuser's or writable by group/others: venv/lib 0777 appuser"), said
    first = min(d["started"] for d in facts.remote["daemons"])
    facts.remote["loaded"] = {"ctime": first + 5, "path": f"{R}/releases/{LIVE}/{place}/x", "entries": 2211}
    assert outcome("loaded", facts, exp).startswith("skip: the newest change of what the daemons load is the app's "
                                                    "own data in its release")
    live["loose"], live["loose_count"] = ["venv/lib 0777 appuser"], 1  # (not the app's: the code check's line)
    assert outcome("code_mode", facts, exp).startswith("fail: 1 entries of the live release")
    assert outcome("loaded", facts, exp).startswith(f"fail: {R}/releases/{LIVE}/{place}/x changed at")


def test_a_site_the_runner_asks_over_http_sending_it_to_https_is_one_line_naming_base_url(exp):
    """With the redirect, every check of the runner's GETs on an http base_url failed on its own line (301: 'expected
    HTTP 200', 'another site answered', 'static files'), then each with the same line (four failures for one
    cause, with certbot --redirect on a real server). One failure: the health path's check names base_url https;
    the other checks of the runner's GETs skip, naming it."""
    facts = clean_facts()
    for path in list(facts.responses):
        moved = requests.Response()
        moved.status_code, moved.url, moved._content = 301, f"http://127.0.0.1:8080{path}", b""
        moved.headers["Location"] = f"https://localhost{path}"
        facts.responses[path] = moved
    said = {outcome(rule, facts, exp) for rule in ("homepage", "serves", "private", "static")}
    assert said == {"skip: the site sends the runner's GETs on to https://localhost: one cause, its failure is "
                    "test_health_from_runner's"}, said
    said = {outcome("health", facts, exp)}
    assert said == {f"fail: the site sends the runner's GETs to http://127.0.0.1:8080 on to https://localhost (a "
                    f"redirect to TLS in Apache's configuration: certbot --redirect): it is reached over TLS; give "
                    f"{facts.label} base_url = \"https://localhost\" in the targets file"}, said


def test_a_site_that_answers_no_get_of_the_runner_is_one_failure(exp):
    """Another member of 'one cause, several failures': Apache stopped (or the port closed to the runner) while SSH
    answers failed every check of the runner's GETs, each on its own line. One failure (the health path's), the
    others skip naming it; a single path without an answer while the rest answer still fails its own check."""
    facts = clean_facts()
    for path in list(facts.responses):
        facts.responses[path] = "ConnectionError: connection refused"
    assert {outcome(rule, facts, exp) for rule in ("homepage", "serves", "private", "static")} == {
        "skip: no GET from the runner got an answer: one cause, its failure is test_health_from_runner's"}
    assert outcome("health", facts, exp).startswith("fail: GET /health from the runner got no answer: "
                                                    "ConnectionError"), outcome("health", facts, exp)
    facts = clean_facts()
    facts.responses["/"] = "ReadTimeout: read timed out"
    assert outcome("homepage", facts, exp) == "fail: GET / from the runner got no answer: ReadTimeout: read timed out"


def test_a_run_that_deploys_nothing_still_catches_a_live_record_naming_another_artifact(exp, monkeypatch, tmp_path):
    """Packing the checkout caught a RELEASE.json whose artifact_sha256 was rewritten (the live manifest still the
    packed one's); looking the record's artifact up instead would have skipped: the release id, made by its deploy,
    carries the artifact's sha8, and a record naming another fails."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    exp.artifact, facts = None, clean_facts()
    facts.remote["tree"]["releases"][LIVE]["artifact_sha256"] = "0" * 64
    for pid in ("artifact", "files"):
        assert outcome(pid, facts, exp) == f"fail: live release {LIVE}: its RELEASE.json names artifact {'0' * 12}, " \
                                           f"its id says {LIVE.split('-')[1]} (someone rewrote the record)"
