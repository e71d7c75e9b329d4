# ruff: noqa
"""Written AFTER reading the gate's code (not blind): for each class closed, another member of it, run with the
blind set's misses, its controls and a clean host (``measure.py PLATFORM --after``)."""

import faults as blind

F = []


def fault(id, area, inject, check, harm, kind="fault"):
    F.append(dict(id=id, kind=kind, area=area, inject=inject.strip(), check=check.strip(), harm=harm))


fault("cron-weekly-link-through-a-dir-link", "runs", r"""
ln -s $SH0 /srv/jobs
printf '#!/bin/sh\necho report\n' > $SH0/report.sh; chown $APPU:$APPG $SH0/report.sh; chmod 755 $SH0/report.sh
ln -s /srv/jobs/report.sh /etc/cron.daily/app-report
""", r"""test "$(readlink -f /etc/cron.daily/app-report)" = "$SH0/report.sh" """,
      "run-parts runs, as root, a script the app writes, through a link and a directory link")

fault("unit-ld-preload-list-into-release", "loads", r"""
printf '[Service]\nType=oneshot\nEnvironment="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libc.so.6:%s/venv/lib/libfast.so"\nExecStart=/usr/bin/true\n' $REL > /etc/systemd/system/fast.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /etc/systemd/system/fast.service /etc/systemd/system/multi-user.target.wants/fast.service
""", r"""grep -q "$REL/venv/lib/libfast.so" /etc/systemd/system/fast.service""",
      "a root unit preloads a library from the deploy login's release (the 2nd entry of a ':' list)")

fault("unit-of-apaches-user-by-uid", "runs", r"""
printf '[Service]\nUser=33\nExecStart=/bin/sh /tmp/warm.sh\n[Install]\nWantedBy=multi-user.target\n' > /etc/systemd/system/warm.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /etc/systemd/system/warm.service /etc/systemd/system/multi-user.target.wants/warm.service
""", r"""test "$(id -un 33)" = www-data""",
      "a unit as Apache's user, by uid, running what anyone may create in /tmp")

fault("etc-default-plugins-list-into-shared", "runs", r"""
printf 'OPS_PLUGINS=/usr/lib/ops:%s/plugins\n' $SH0 > /etc/default/ops-agent
""", r"""grep -q "$SH0/plugins" /etc/default/ops-agent""",
      "a service's defaults file (sourced as root by its init script) lists a plugin dir the app writes, 2nd in a ':' list")

fault("root-user-site-pth", "loads", r"""
d=/root/.local/lib/python$PYV/site-packages; mkdir -p $d
echo 'import os; os.environ.setdefault("OPS_TRACE", "1")' > $d/dev.pth
""", r"""python3 -c 'import os,sys; sys.exit(0 if os.environ.get("OPS_TRACE")=="1" else 1)'""",
      "every root python3 runs an import line of a .pth in root's user site (pip install --user as root)")

fault("diverted-stdlib-module", "loads", r"""
f=/usr/lib/python$PYV/json/__init__.py
dpkg-divert --quiet --local --rename --add $f
cp $f.distrib $f; echo '# local fix' >> $f
""", r"""dpkg-divert --list /usr/lib/python$PYV/json/__init__.py | grep -q local""",
      "a stdlib module moved aside with dpkg-divert and replaced: the changed copy is never compared")

fault("live-release-dir-open", "grants", r"""
chmod 0777 $REL
""", r"""test "$(stat -c %a $REL)" = 777""",
      "the live release's directory writable by all: anyone renames its venv and puts their own in its place")

fault("app-access-log-link-into-shared", "loads", r"""
touch $SH0/access.log; chown $APPU:$APPG $SH0/access.log
ln -sf $SH0/access.log /var/log/apache2/$APP-access.log; apache2ctl graceful; sleep 1
""", r"""for p in $(pgrep -u root -x apache2); do ls -l /proc/$p/fd | grep -q "$SH0/access.log" && exit 0; done; exit 1""",
      "the blind set's access-log fault, corrected (the app's vhost logs to APP-access.log, not access.log): Apache's "
      "root parent opens its log through a link into a dir the app writes: the app repoints it, root appends anywhere")

fault("default-acl-named-user-on-shared", "grants", r"""
python3 -c 'import os,struct,sys; os.setxattr(sys.argv[1],"system.posix_acl_default",struct.pack("<I",2)+b"".join(struct.pack("<HHI",t,p,i) for t,p,i in ((1,7,0xffffffff),(2,7,65534),(4,7,0xffffffff),(0x10,7,0xffffffff),(0x20,0,0xffffffff))))' $SH0
""", r"""runuser -u $APPU -- sh -c "umask 0007; echo x > $SH0/.probe" && runuser -u nobody -- cat $SH0/.probe >/dev/null && rm -f $SH0/.probe""",
      "a default ACL on a shared dir names nobody: every file the app makes there, nobody reads and changes")

fault("apache-dropin-readonly-www", "loads", r"""
mkdir -p /etc/systemd/system/apache2.service.d
printf '[Service]\nReadOnlyPaths=/var/www\n' > /etc/systemd/system/apache2.service.d/ro.conf
""", r"""grep -q 'ReadOnlyPaths=/var/www' /etc/systemd/system/apache2.service.d/ro.conf""",
      "a drop-in makes /var/www read-only for Apache and its daemons from the next start: the app cannot write shared/")

AFTER_IDS = ["default-acl-opens-shared", "apache-dropin-protectsystem", "cron-daily-link-into-shared", "unit-environment-pythonpath", "unit-www-data-runs-tmp-script",
             "binfmt-interpreter-in-tree", "usr-local-site-pth", "diverted-apache2ctl-sources-shared",
             "prev-release-dir-closed", "access-log-link-into-shared"]
ENTRIES = [e for e in blind.F if e["id"] in AFTER_IDS or e["kind"] == "control"] + F
