"""Record ``conffiles.txt``: Debian's conffiles as their packages ship them, read in the stack images.

``python -m deploytests.stacks.apache_wsgi.record_conffiles IMAGE...`` runs :data:`READ` in each image (a throwaway
container of the local engine: ``docker run --rm``) and writes each conffile that is there as dpkg shipped it (its
md5 is dpkg's record) with its lines that set something. Run it on the stack images as built, and on them with
the admin packages a team adds (the tests' list in ``tests/integration/test_admin_tooling.py``), when Debian or a
stack's package list changes: a conffile at an md5 the file does not hold is judged only by the lines every
recorded version of it sets (docs/architecture.md).

Left out: Apache's (its rule judges a changed file whole), scripts root runs (the rules on what root runs read them
whole), key files, tables of more than 150 lines (services, mime.types, moduli: no settings), and texts shown to people
or read as data (the login banners /etc/issue and /etc/issue.net, /etc/debian_version: an admin's banner is no guard
taken away)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from deploytests.words import count

# run by the image's python3: each dpkg conffile, its package, dpkg's md5, whether the file is as shipped, its lines
READ = r"""
import hashlib, json, re
out = {}
for para in open("/var/lib/dpkg/status", encoding="latin-1").read().split("\n\n"):
    if "\nConffiles:" not in para:
        continue
    pkg = re.search(r"^Package: (\S+)", para, re.M).group(1)
    for line in para.split("\nConffiles:\n", 1)[1].splitlines():
        if not line.startswith(" "):
            break
        parts = line.split()
        if len(parts) < 2 or parts[1] == "newconffile":
            continue
        try:
            data = open(parts[0], "rb").read()
        except OSError:
            continue
        active = [x.strip() for x in data.decode("latin-1").splitlines()
                  if x.strip() and not x.lstrip().startswith(("#", ";", "//"))]
        out[parts[0]] = dict(pkg=pkg, md5=parts[1], same=hashlib.md5(data).hexdigest() == parts[1], active=active)
print(json.dumps(out))
"""
SKIP = ("/etc/apache2/", "/etc/init.d/", "/etc/cron.", "/etc/sv/", "/etc/update-motd.d/", "/etc/kernel/",
        "/etc/network/if-", "/etc/ppp/", "/etc/dhcp/",
        "/etc/issue", "/etc/motd", "/etc/debian_version")  # texts shown to people or read as data: no settings
HEADER = """\
# Debian's conffiles as their packages ship them (deploytests.verify.promises.stock_lines_gone): per file
# 'PATH MD5 PACKAGE' (MD5: dpkg's record of the shipped bytes), then each line that sets something (not blank,
# not a comment), indented by one space. Measured on the stack images (Debian 12 and 13) as built (the stock
# server); Apache's (judged whole), scripts root runs (judged whole), keys and tables (services ...) left out.
"""


def shipped(found: dict, kept: dict) -> None:
    """Add to ``kept`` each conffile of one image's ``found`` that is as shipped and holds settings."""
    for path, v in found.items():
        if not v["same"] or path.startswith(SKIP) or not v["active"] or len(v["active"]) > 150:
            continue
        if v["active"][0].startswith("#!") or "-----BEGIN" in v["active"][0]:
            continue
        kept[(path, v["md5"])] = (v["pkg"], v["active"])


def main(images: list[str]) -> int:
    if not images:
        print("usage: python -m deploytests.stacks.apache_wsgi.record_conffiles IMAGE... (the stack images)")
        return 2
    kept: dict = {}
    for image in images:
        run = subprocess.run(["docker", "run", "--rm", "-i", "--entrypoint", "python3", image, "-"], input=READ,
                             capture_output=True, text=True, timeout=300)
        if run.returncode:
            print(f"record_conffiles: {image}: {run.stderr.strip()[-300:]}", file=sys.stderr)
            return 1
        shipped(json.loads(run.stdout), kept)
    lines = [f"{path} {md5} {pkg}\n" + "".join(f" {ln}\n" for ln in active)
             for (path, md5), (pkg, active) in sorted(kept.items())]
    out = Path(__file__).with_name("conffiles.txt")
    out.write_text(HEADER + "".join(lines))
    print(f"{out}: {count(len(kept), 'file')}, {sum(len(v[1]) for v in kept.values())} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
