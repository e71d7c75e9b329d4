"""gaps10's container members: last round's open items (blind9's k06 and h10 as blind9 wrote them, minus the
package install: the ACLs are written with python's os.setxattr, the bytes setfacl writes) and one other member of
each class closed here. Each is a root shell script run on a container of the campaign's deployed snapshot
(deploytests.faults.run.Campaign), placeholders as blind9's faults.py ({root} {config} {login} ...).
PLAIN: run without allowances; ALLOWED: with ALLOW_KEYS (what the operator allowed for the thing itself)."""
from deploytests.faults.catalogue import Fault

APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 400 apt-get install "
       "-y -qq --no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{{{ tail -20 /tmp/apt.log; exit 1; }}}}")
RESTART = ("apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); "
           "done; apache2ctl start; sleep 1; pgrep -x apache2 >/dev/null")
GRACEFUL = "apache2ctl graceful; sleep 1"
# 'setfacl [-d] -m u:UID:PERM PATH' as bytes (linux/posix_acl_xattr.h: version 2, then (tag, perm, id) entries),
# the owner, group and other entries from the path's mode, the mask the group class's union (what setfacl writes)
ACL = ("python3 -c \"import os,struct,sys; p,kind,uid,perm=sys.argv[1:5]; m=os.stat(p).st_mode; "
       "g=m>>3&7; e=[(1,m>>6&7,-1),(2,int(perm),int(uid)),(4,g,-1),(0x10,g|int(perm),-1),(0x20,m&7,-1)]; "
       "os.setxattr(p,'system.posix_acl_'+kind,b'\\\\2\\\\0\\\\0\\\\0'+b''.join(struct.pack('<HHI',t,q,i&0xffffffff) "
       "for t,q,i in e))\"")

PLAIN = (
    # blind9's h10, then a restart (after which the ctime check that caught it by accident no longer does)
    Fault("h10-config-acl-for-www-data", "config_mode",
          "setfacl -m u:www-data:r on the config (and u:www-data:x on shared/): Apache's workers read SECRET_KEY while "
          "the config still lists as 0640",
          ACL + " {root}/shared access 33 1; " + ACL + " {config} access 33 4; " + RESTART),
    Fault("g10-default-acl-on-shared", "config_mode",
          "setfacl -d -m u:www-data:r on shared/: every config a deploy writes there next is www-data's to read",
          ACL + " {root}/shared access 33 1; " + ACL + " {root}/shared default 33 4; " + RESTART),
    # root's per-user hooks: git's hooksPath in the CI account's directory; root's .bashrc sourcing its file
    Fault("g10-root-gitconfig-hookspath", "cw_schedules",
          "root's ~/.gitconfig: core.hooksPath = /srv/ci/hooks, the CI account's: every git root runs (etckeeper, "
          "a checkout in a root job) runs the CI account's hooks as root",
          "useradd -m -s /bin/bash ci; install -d -o ci -g ci /srv/ci /srv/ci/hooks; "
          "printf '[user]\\n\\tname = root\\n[core]\\n\\thooksPath = /srv/ci/hooks\\n' > /root/.gitconfig; "
          "chmod 0644 /root/.gitconfig"),
    Fault("g10-root-bashrc-sources-ci", "cw_schedules",
          "root's ~/.bashrc sources /srv/ci/env.sh (the CI account's): every root shell runs the CI account's code",
          "useradd -m -s /bin/bash ci; install -d -o ci -g ci /srv/ci; echo 'export CI=1' > /srv/ci/env.sh; "
          "chown ci:ci /srv/ci/env.sh; echo '[ -f /srv/ci/env.sh ] && . /srv/ci/env.sh' >> /root/.bashrc"),
    # root running what it just fetched: to a file then run; through a site's own wrapper
    Fault("g10-cron-fetch-then-run", "cw_schedules",
          "an ops pull: root fetches a script to /tmp and runs it ('curl -fsSo /tmp/ops.sh https://... && sh "
          "/tmp/ops.sh'): whoever answers for the address runs commands as root",
          "mkdir -p /etc/cron.d; printf 'SHELL=/bin/sh\\n*/30 * * * * root curl -fsSo /tmp/ops.sh "
          "https://ops.example.internal/ops.sh && sh /tmp/ops.sh\\n' > /etc/cron.d/ops-pull"),
    Fault("g10-cron-pipe-into-wrapper", "cw_schedules",
          "the same pull piped into the site's own wrapper ('| /usr/local/bin/mywrap sh': mywrap runs its "
          "arguments with a lock)",
          "printf '#!/bin/sh\\nexec flock /run/mywrap.lock \"$@\"\\n' > /usr/local/bin/mywrap; chmod 0755 "
          "/usr/local/bin/mywrap; mkdir -p /etc/cron.d; printf 'SHELL=/bin/sh\\n*/30 * * * * root curl -fsS https://ops.example.internal/"
          "ops.sh | /usr/local/bin/mywrap sh\\n' > /etc/cron.d/ops-pull"),
    # a login named in sudoers (not a %group) shares a shell on a socket anyone may connect to
    Fault("g10-sudoers-user-shares-a-socket", "cw_listen",
          "'ops ALL=(ALL) NOPASSWD: ALL' in sudoers.d (a user, not a group), and ops's pairing socket /tmp/pair.sock "
          "(mode 0777): whoever connects types into ops's session, and ops becomes root",
          "useradd -m -s /bin/bash ops; printf 'ops ALL=(ALL) NOPASSWD: ALL\\n' > /etc/sudoers.d/ops; chmod 0440 "
          "/etc/sudoers.d/ops; su ops -s /bin/sh -c \"setsid nohup python3 -c 'import os,socket,time; "
          "s=socket.socket(socket.AF_UNIX); s.bind(\\\"/tmp/pair.sock\\\"); os.chmod(\\\"/tmp/pair.sock\\\", 0o777); "
          "s.listen(1); time.sleep(86400)' >/dev/null 2>&1 &\"; sleep 1; test -S /tmp/pair.sock"),
    # a root file under /etc larger than 1 MiB naming the app's tree (collect_login.mentions skipped it unnamed)
    Fault("g10-big-root-file-names-tree", "cw_schedules",
          "an incron table padded past 1 MiB whose last line runs the app's code as root on every upload",
          "mkdir -p /etc/incron.d; (i=0; while [ $i -lt 120000 ]; do echo '# padding line of the generated table'; "
          "i=$((i+1)); done; echo '{root}/shared/data IN_CLOSE_WRITE {root}/current/venv/bin/python -m "
          "{package}.ingest $@/$#') > /etc/incron.d/app-ingest; "
          "test $(stat -c %s /etc/incron.d/app-ingest) -gt 1048576"),
)

ALLOWED = (
    # blind9's k06 as it wrote it
    Fault("k06-allowed-acme-webroot-writable-by-www-data", "cw_served",
          "an allowed acme.conf: 'Alias /.well-known/acme-challenge/ /var/www/acme/.well-known/acme-challenge/', the "
          "directory www-data's: on every site, the app's included, www-data's content is served on the app's origin",
          "install -d -o www-data -g www-data /var/www/acme /var/www/acme/.well-known "
          "/var/www/acme/.well-known/acme-challenge; printf 'Alias /.well-known/acme-challenge/ "
          "/var/www/acme/.well-known/acme-challenge/\\n<Directory /var/www/acme/.well-known/acme-challenge>\\n"
          "    Options None\\n    AllowOverride None\\n    Require all granted\\n</Directory>\\n' > "
          "/etc/apache2/conf-available/acme.conf; a2enconf -q acme; " + GRACEFUL),
    Fault("g10-allowed-downloads-alias-of-ftp", "cw_served",
          "an allowed downloads.conf: 'Alias /downloads /srv/ftp/pub' for the FTP account's uploads, served on "
          "every site",
          "useradd -m -s /bin/bash ftpup; install -d -o ftpup -g ftpup /srv/ftp /srv/ftp/pub; printf 'Alias "
          "/downloads /srv/ftp/pub\\n<Directory /srv/ftp/pub>\\n    Require all granted\\n</Directory>\\n' > "
          "/etc/apache2/conf-available/downloads.conf; a2enconf -q downloads; " + GRACEFUL),
)

ALLOWED += (
    # blind8's k05 class: an allowed public snmpd whose user was added to the app's group (to read its logs)
    Fault("g10-allowed-snmpd-in-app-group", "cw_listen",
          "snmpd opened for the NMS on udp:161 (allowed: allow_listen 'udp/*:161 Debian-snmp /usr/sbin/snmpd') and "
          "its user added to the app's group for an extend script reading the app's status: what snmpd serves to "
          "whoever knows the community may carry the app's config",
          APT.format(pkgs="snmpd") + "; sed -i 's/^agentaddress .*/agentaddress udp:161/' /etc/snmp/snmpd.conf; "
          "usermod -aG {app_group} Debian-snmp; mkdir -p /var/lib/snmp; chown -R Debian-snmp /var/lib/snmp; "
          "/usr/sbin/snmpd -LOw -u Debian-snmp -g Debian-snmp -I -smux,mteTrigger,mteTriggerConf -p /run/snmpd.pid; "
          "i=0; until grep -q ':00A1 ' /proc/net/udp || [ $i -ge 150 ]; do i=$((i+1)); sleep 0.1; done; "
          "grep -q ':00A1 ' /proc/net/udp"),
)
PLAIN += (
    # a secret of the app's config on a command line: every local user's to read, and snmpd's process table
    Fault("g10-secret-on-a-command-line", "sec_secrets",
          "an operator's report job started with the app's SECRET_KEY as an argument ('--api-key=...'): ps shows it "
          "to every local user, and an SNMP agent's process table to whoever it answers",
          "k=$(sed -n 's/^SECRET_KEY = \"\\(.*\\)\"$/\\1/p' {config}); test -n \"$k\"; setsid nohup python3 -c "
          "'import time; time.sleep(86400)' --api-key=$k >/dev/null 2>&1 & sleep 1; pgrep -f -- --api-key= >/dev/null"),
)

ALLOW_KEYS = """allow_apache_conf = ["/etc/apache2/conf-enabled/acme.conf", "/etc/apache2/conf-enabled/downloads.conf"]
allow_listen = ["udp/*:161 Debian-snmp /usr/sbin/snmpd"]
allow_groups = ["Debian-snmp: yourapplication"]
"""
