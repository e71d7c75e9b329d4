"""Run in a stack image: each dpkg conffile, its package, dpkg's md5, whether the file is as shipped, and its lines
that set something (not blank, not a comment), as JSON (input of make_conffiles.py)."""
import hashlib
import json
import re

status = open("/var/lib/dpkg/status", encoding="latin-1").read()
out = {}
for para in status.split("\n\n"):
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
