"""Writes deploytests/stacks/apache_wsgi/conffiles.txt from the JSON dumps of conffiles_in_container.py (run in the
stack images, stock and after the admin packages): each conffile as dpkg shipped it (its md5 is dpkg's), with its
active lines. Left out: Apache's (its rule judges a changed file whole), scripts (the places root runs them from),
key files, and tables of more than 150 lines (services, mime.types, moduli: no settings)."""
import json
import sys

# Apache's (its rule judges a changed file whole); scripts root runs (the rules on what root runs read them whole)
SKIP = ("/etc/apache2/", "/etc/init.d/", "/etc/cron.", "/etc/sv/", "/etc/update-motd.d/", "/etc/kernel/",
        "/etc/network/if-", "/etc/ppp/", "/etc/dhcp/")
found = {}
for name in sys.argv[1:]:
    for path, v in json.load(open(name)).items():
        if not v["same"] or path.startswith(SKIP) or not v["active"] or len(v["active"]) > 150:
            continue
        if v["active"][0].startswith("#!") or "-----BEGIN" in v["active"][0]:
            continue
        found[(path, v["md5"])] = (v["pkg"], v["active"])
out = ["# Debian's conffiles as their packages ship them (deploytests.verify.promises.stock_lines_gone): per file",
       "# 'PATH MD5 PACKAGE' (MD5: dpkg's record of the shipped bytes), then each line that sets something (not blank,",
       "# not a comment), indented by one space. Measured on the stack images (Debian 12 and 13) as built (the stock",
       "# server); Apache's (judged whole), scripts root runs (judged whole), keys and tables (services ...) left out."]
for (path, md5), (pkg, lines) in sorted(found.items()):
    out.append(f"{path} {md5} {pkg}")
    out += [" " + ln for ln in lines]
open("deploytests/stacks/apache_wsgi/conffiles.txt", "w").write("\n".join(out) + "\n")
print(len(found), "files", sum(len(v[1]) for v in found.values()), "lines")
