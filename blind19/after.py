# ruff: noqa
"""Other members of each class fixed, written after reading the gate (not blind): run with ``measure.py --after``."""

ENTRIES = []


def member(id, area, inject, check, harm):
    ENTRIES.append(dict(id=id, kind="fault", area=area, inject=inject.strip(), check=check.strip(), harm=harm))


member("after-sshd-match-user-chroot", "mechanisms", r"""
install -d -m 0755 /srv/jail
printf '\nMatch User %s\n    ChrootDirectory /srv/jail\n' "$DEPU" >> /etc/ssh/sshd_config
""", r"""/usr/sbin/sshd -T -C user=$DEPU,host=x,addr=192.0.2.1 2>/dev/null | grep -qi '^chrootdirectory /srv/jail'""",
       "a chroot for the deploy login (an 'SFTP jail' copied from a guide): at sshd's next start its commands run "
       "inside an empty /srv/jail: no python3, no tree: every deploy and rollback fails")

member("after-app-user-key-via-match-block", "grants", r"""
printf '\nMatch User %s\n    AuthorizedKeysFile /etc/ssh/ci_keys/%%u\n' "$APPU" >> /etc/ssh/sshd_config
install -d -m 0755 /etc/ssh/ci_keys
ssh-keygen -q -t ed25519 -N '' -C ci@runner -f /root/ci_key
install -m 0644 /root/ci_key.pub /etc/ssh/ci_keys/$APPU
usermod -p '*' $APPU
HUPSSHD
""", r"""ssh -i /root/ci_key $SSHOPT -p 22 $APPU@127.0.0.1 true 2>&1 | grep -qi 'not available'""",
       "a Match block for the app user takes its keys from a root's directory holding a CI key: the key logs in as "
       "the app user (forwards to every loopback service as the app)")

member("after-acl-www-data-writes-var-www", "grants", r"""
ACL_ADD $(dirname $R) $(id -u www-data) 7
""", r"""runuser -u www-data -- test -w $(dirname $R)""",
       "an ACL lets Apache's user write the directory holding the app's root: its workers may rename the app's "
       "root aside and put their own application.wsgi there")

member("after-ld-so-conf-vendor-libexpat", "loads", r"""
L=$(ldconfig -p | awk '/libexpat.so.1 .*x86-64/{print $NF; exit}')
install -d -m 0755 /opt/vendor/lib; cp $L /opt/vendor/lib/libexpat.so.1.99; ln -sf libexpat.so.1.99 /opt/vendor/lib/libexpat.so.1
echo /opt/vendor/lib > /etc/ld.so.conf.d/00-vendor.conf; ldconfig
apache2ctl stop; for i in 1 2 3 4 5 6 7 8 9 10; do pgrep -x apache2 >/dev/null || break; sleep 1; done
apache2ctl start; sleep 3; GET /health >/dev/null || true
""", r"""grep -l /opt/vendor/lib/libexpat /proc/[0-9]*/maps 2>/dev/null | grep -q .""",
       "a vendor's library dir (root's) first on the linker's path with its own libexpat: Apache (apr-util) loads a "
       "copy no package ships and no security update reaches")

member("after-config-copy-in-var-lib", "grants", r"""
test -n "$CFG"; install -d -m 0755 /var/lib/app-backup; cp $CFG /var/lib/app-backup/app.cfg; chmod 0644 /var/lib/app-backup/app.cfg
""", r"""runuser -u nobody -- cat /var/lib/app-backup/app.cfg >/dev/null""",
       "a hand backup of the app's config under /var/lib, 0644: every local user reads the app's secrets")

member("after-useradd-default-groups", "grants", r"""
printf 'GROUPS=users,%s\n' "$APPG" >> /etc/default/useradd
""", r"""useradd -m zzprobe >/dev/null 2>&1; id -nG zzprobe | grep -qw $APPG; rc=$?
userdel -r zzprobe >/dev/null 2>&1 || true; test $rc = 0""",
       "useradd's defaults put every new login in the app's group: the next colleague added reads the app's secrets")

member("after-sysctl-perf-event-paranoid", "grants", r"""
printf 'kernel.perf_event_paranoid=-1\n' > /etc/sysctl.d/60-perf.conf
""", r"""cat /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null | sed 's/ //g' | grep -q '^kernel.perf_event_paranoid=-1$'""",
       "at the next boot any user profiles the kernel and every CPU (perf), the app's code too: a side channel")

member("after-var-www-group-writable-for-webdevs", "grants", r"""
groupadd webdevs; useradd -m -s /bin/bash -G webdevs dev
chgrp webdevs $(dirname $R); chmod 2775 $(dirname $R)
""", r"""runuser -u dev -- test -w $(dirname $R)""",
       "the directory holding the app's root opened to a team's group (2775 root:webdevs): any member may rename "
       "the app's root aside and put their own application.wsgi there")
