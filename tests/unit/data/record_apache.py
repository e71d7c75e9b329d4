"""Record data/apache-stock.json: what the login collector's verdict reads of stock Apache (bootstrap's look: check
mode, run as nobody): the text of every file Apache reads (``read``; comment lines blanked), the ``lstat`` of what
their lines name (``started``), of Apache's tree's top and of the paths above them, and envvars' and /etc/passwd's
bytes. Usage: python record_apache.py apache-stock.json KEY=CONTAINER ... (the containers: the project's images
started as the gate starts them, and debian:{bookworm,trixie}-slim with apache2, ssl-cert, python3 and
libapache2-mod-wsgi-py3 installed from Debian's mirror, then ``a2enmod ssl; a2ensite default-ssl``: the snakeoil
site)."""
import base64
import json
import os
import shlex
import subprocess
import sys
import zlib
from pathlib import Path

LOGIN = (Path(__file__).resolve().parents[3] / "deploytests/verify/collect_login.py").read_bytes()
ARGS = json.dumps({"app": "yourapplication", "check": True})
KEEP = ("/etc/apache2/envvars", "/etc/passwd")  # (bytes kept: the variables, the run user's uid)


def record(name):
    boot = "import sys; exec(compile(sys.stdin.buffer.read(%d), 'c', 'exec'))" % len(LOGIN)
    cmd = "/usr/bin/python3 -I -S -c %s %s" % (shlex.quote(boot), shlex.quote(ARGS))
    out = subprocess.run(["docker", "exec", "-i", "-u", "nobody", name, "sh", "-c", cmd], input=LOGIN + b"0" * 33,
                         capture_output=True, check=False).stdout.decode()
    line = [ln for ln in out.splitlines() if ln.startswith("@@DT-LOGIN")][0]
    reply = json.loads(zlib.decompress(base64.b64decode(line.split(" ", 2)[2])))
    assert reply["refused"] is None, reply["refused"]
    files = {p: {k: v for k, v in e.items() if k != "data" or p in KEEP}  # (Apache's tree: its top level)
             for p, e in {**reply["files"], **reply["started"]}.items() if p.count("/") < 4 or not p.startswith(
                 "/etc/apache2/") or p in reply["started"]}
    return {"files": files, "read": {p: text(reply["files"], p) for p in reply["read"]}}


def text(files, path):
    """The bytes Apache reads at ``path``: its own, or those of the file its link names (as the verdict reads)."""
    link = files[path].get("link")
    data = files[os.path.normpath(os.path.join(os.path.dirname(path), link)) if link else path].get("data") or ""
    return "\n".join("" if ln.lstrip().startswith("#") else ln for ln in data.splitlines())  # (numbers kept)


if __name__ == "__main__":
    out = json.loads(Path(sys.argv[1]).read_text()) if Path(sys.argv[1]).exists() else {}
    for spec in sys.argv[2:]:
        key, name = spec.split("=")
        out[key] = record(name)
        print(key, len(out[key]["files"]), len(out[key]["read"]))
    Path(sys.argv[1]).write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
