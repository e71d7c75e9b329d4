"""The probe's shared output against the deploy login, on a real server: the tree reader runs as the deploy user,
who could take a copy of its stdout (``pidfd_getfd``, as root's ``CAP_SYS_PTRACE`` allows on a real server) and
write into the channel the root collector answers on, or hold it open, while ``sudo -u`` ran it (dumpable); it
now runs in root's program once that became the deploy user (not dumpable: the copy is refused). The deploy
login can still name its files anything."""

from __future__ import annotations

import io
import shlex
import tarfile

import pytest

from deploytests.containers import Fleet
from deploytests.suite.lab import Lab
from deploytests.verify import facts as F

pytestmark = pytest.mark.integration

# the deploy login's program: for each of the gate's programs that is the deploy user's, a copy of its stdout;
# writes ``line`` into it and then holds it open, a newline every 20 s (for 15 minutes)
HOLDER = r'''
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
line, done, t0 = open(sys.argv[1], "rb").read(), set(), time.time()
while time.time() - t0 < 900:
    for pid in [p for p in os.listdir("/proc") if p.isdigit() and p not in done]:
        try:
            cmd = open("/proc/%s/cmdline" % pid, "rb").read()
        except OSError:
            continue
        if b"deploytests-" not in cmd or not cmd.startswith(b"/usr/bin/python"):
            continue
        try:
            if os.stat("/proc/" + pid).st_uid != os.getuid():
                continue  # root's (the collector, until it becomes the deploy user): look again
        except OSError:
            continue
        done.add(pid)
        fd = libc.syscall(438, os.pidfd_open(int(pid)), 1, 0)  # pidfd_getfd
        if fd >= 0:
            os.write(fd, line)
            while time.time() - t0 < 900:
                time.sleep(20)
                os.write(fd, b"\n")
    time.sleep(0.002)
'''


@pytest.fixture(scope="module")
def lab():
    with Fleet(count=1, name_prefix="chan", progress=lambda m: None, run_options={"cap_add": ["SYS_PTRACE"]}) as fl:
        box = Lab(fl.servers[0], deploy_user="deployer")
        box.container = fl.containers[0]
        box.bootstrap()
        box.release = box.deploy("yourapplication").release_id
        yield box


def deployer(lab, script):
    c = lab.login()
    try:
        return c.run(f"sh -c {shlex.quote(script)}", hide=True, warn=True, in_stream=False).stdout
    finally:
        c.close()


def put_home(lab, name, text):
    """``text`` as the deploy login's file ``~/name``."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.uid, info.gid, info.mode = len(text.encode()), 1001, 1001, 0o644
        tar.addfile(info, io.BytesIO(text.encode()))
    lab.container.put_archive("/home/deployer", buf.getvalue())


def test_the_deploy_login_can_neither_crash_forge_nor_hold_roots_answer(lab):
    """The attack (all three at once): a process whose executable's name is not UTF-8 (the collector died at
    its reply), a replayed genuine root line written into the reader's stdout (the runner took it for root's
    answer), and that stdout held open with a newline every 20 s (the runner waited for EOF: forever). Root's
    answer is this run's, whole; the reader is no longer the deploy login's to take a copy of its stdout from."""
    cfg = lab.config()
    args = F.probe_args(cfg, "deployer", lab.server.user, lab.server.stack)
    first = F.run_programs(lab.server, args, lab.server.stack.python)
    genuine = next(ln for ln in first.stdout.splitlines() if ln.startswith(F._root.MARK))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (("line", (genuine + "\n").encode()), ("holder.py", HOLDER.encode())):
            info = tarfile.TarInfo(name)
            info.size, info.uid, info.gid, info.mode = len(data), 1001, 1001, 0o644
            tar.addfile(info, io.BytesIO(data))
    lab.container.put_archive("/home/deployer", buf.getvalue())
    deployer(lab, "cp /bin/sleep \"$HOME/$(printf 'x\\377')\"; "
                  "setsid nohup \"$HOME/$(printf 'x\\377')\" 900 >/dev/null 2>&1 </dev/null & "
                  "setsid nohup /usr/bin/python3 $HOME/holder.py $HOME/line >/dev/null 2>&1 </dev/null & true")
    res = F.run_programs(lab.server, args, lab.server.stack.python)
    assert res.stdout.count(F._root.MARK) == 1, res.stdout[-2000:]  # the holder got no copy of the stdout
    raw = F.read_root(res)  # this run's line, not the replayed one
    exes = [p.get("exe") or "" for p in raw["proc"].values()]
    assert any(e.endswith("/home/deployer/x\\xff") for e in exes), exes
    replayed = F.ProbeResult(0, genuine, "", res.nonce)
    with pytest.raises(RuntimeError, match="^the collector's reply is missing: "):
        F.read_root(replayed)


# the deploy login's program against the login collector (the admin's process, between root's and the deploy
# user's): for each run of it, try to stop it, take a copy of its stdout, write into its stdout through /proc and
# trace it; each attempt's result goes to a log line
PROBER = r'''
import ctypes, errno, os, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
log, done, t0 = open(sys.argv[1], "a", buffering=1), set(), time.time()

def attempt(what, work):
    try:
        r = work()
        log.write("%s %s\n" % (what, "ok" if r is None or r >= 0 else errno.errorcode[ctypes.get_errno()]))
    except OSError as exc:
        log.write("%s %s\n" % (what, errno.errorcode[exc.errno]))

while time.time() - t0 < 900:
    for pid in [p for p in os.listdir("/proc") if p.isdigit() and p not in done]:
        try:
            cmd = open("/proc/%s/cmdline" % pid, "rb").read()
        except OSError:
            continue
        if b"deploytests-collect-login" not in cmd or not cmd.startswith(b"/usr/bin/python"):
            continue
        done.add(pid)
        attempt("stop", lambda: os.kill(int(pid), signal.SIGSTOP))
        attempt("getfd", lambda: libc.syscall(438, os.pidfd_open(int(pid)), 1, 0))
        attempt("write", lambda: os.close(os.open("/proc/%s/fd/1" % pid, os.O_WRONLY)))
        attempt("trace", lambda: libc.ptrace(16, int(pid), None, None))  # PTRACE_ATTACH
    time.sleep(0.001)
'''


def test_the_login_collector_and_its_verdict_are_out_of_the_deploy_logins_reach(lab):
    """The login collector reads, as the gate's login, what root's collector no longer reads, and tells root by its
    exit status whether ``apache2ctl`` may run (through the admin's shell). The attack: the deploy login watches
    for it and tries to stop it, take a copy of its stdout (``pidfd_getfd``), open its stdout through ``/proc``
    and trace it; and a replayed genuine login line stands for this run's. Every attempt is refused (another
    user's process), the replayed line is not taken, and root ran ``apache2ctl`` on the verdict of this run."""
    cfg = lab.config()
    args = F.probe_args(cfg, "deployer", lab.server.user, lab.server.stack)
    first = F.run_programs(lab.server, args, lab.server.stack.python)
    genuine = next(ln for ln in first.stdout.splitlines() if ln.startswith(F._login.MARK))
    put_home(lab, "prober.py", PROBER)
    deployer(lab, "setsid nohup /usr/bin/python3 $HOME/prober.py $HOME/prober.log >/dev/null 2>&1 </dev/null & "
                  "echo $! > $HOME/prober.pid; sleep 1")
    try:
        res = F.run_programs(lab.server, args, lab.server.stack.python)
        raw = F.read_root(res)
        log = lab.container.exec_run(["sh", "-c", "sleep 1; cat /home/deployer/prober.log"]).output.decode()
    finally:
        lab.container.exec_run(["sh", "-c", "kill $(cat /home/deployer/prober.pid)"])
    tried = dict(ln.split() for ln in log.splitlines())
    assert set(tried) == {"stop", "getfd", "write", "trace"}, log  # it saw the login collector run
    assert tried == {"stop": "EPERM", "getfd": "EPERM", "write": "EACCES", "trace": "EPERM"}, log
    assert raw["uid"] == 0 and raw["runs"]["configtest"]["rc"] == 0 and "refused" not in raw["runs"], raw["runs"]
    assert res.stdout.count(F._login.MARK) == 1
    mine = next(ln for ln in res.stdout.splitlines() if ln.startswith(F._root.MARK))
    with pytest.raises(RuntimeError, match="^the login collector's reply is missing: "):
        F.read_root(F.ProbeResult(0, f"{mine}\n{genuine}", "", res.nonce))


# the deploy login's processes that make root's collector work: one names a 64 KiB path of "/." in its environment,
# 200 hold 64 KiB environments of control bytes (each written \u0001 in the reply: six bytes); all in the group
# setsid made
SPENDER = r'''
import os, subprocess, sys
if sys.argv[2] == "deep":
    subprocess.Popen(["sleep", "900"], env={"X": "/usr" + "/." * 32700})
else:
    for _ in range(200):
        subprocess.Popen(["sleep", "900"], env={"X": "\x01" * 65000})
open(sys.argv[1], "w").write("%d\n" % os.getpgid(0))
os.pause()
'''


def test_what_the_deploy_login_makes_root_read_costs_root_its_bounds(lab):
    """Root's collector reads the environment of the deploy user's processes and walks each path it names: a path of
    32,700 levels of ``/.`` took it 1 GiB and 171 s (past the probe's bound: the reply lost), and 200 environments
    of control bytes made a reply past the runner's 64 MiB (its budget counted bytes read, the reply writes six for
    each). Both are within its bounds now: the reply comes, whole, the walk 63 levels deep and the budget's bound
    named."""
    cfg = lab.config()
    args = F.probe_args(cfg, "deployer", lab.server.user, lab.server.stack)
    put_home(lab, "spender.py", SPENDER)

    def spent(how: str) -> dict:  # (each bound on its own: which process root reads first is /proc's order)
        deployer(lab, f"rm -f $HOME/spender.pgid; setsid nohup /usr/bin/python3 $HOME/spender.py $HOME/spender.pgid "
                      f"{how} >/dev/null 2>&1 </dev/null & for i in $(seq 100); do [ -s $HOME/spender.pgid ] && "
                      "break; sleep 0.2; done")
        try:
            return F.read_root(F.run_programs(lab.server, args, lab.server.stack.python))
        finally:
            lab.container.exec_run(["sh", "-c", "kill -- -$(cat /home/deployer/spender.pgid)"])

    raw = spent("deep")
    deep = [p for p in raw["mapped"] if p.startswith("/usr/.")]
    assert raw["uid"] == 0 and deep and max(p.count("/") for p in deep) <= 63, raw["errors"]
    raw = spent("bytes")
    assert raw["uid"] == 0 and raw["errors"].get("/proc", "").startswith("more than 50331648 bytes"), raw["errors"]
