#!/bin/sh
# Admin tooling a team ordinarily adds, by hand as root on a deployed server (apt-get with recommends, as typed).
# Usage: docker exec -i CONTAINER sh -s APP < admin-tools.sh
set -e
APP="$1"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq cron auditd acct rkhunter borgbackup snmpd zabbix-agent postfix logwatch >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }
# start what a booted server would run (no systemd in the container)
service cron start >/dev/null 2>&1 || true
service auditd start >/dev/null 2>&1 || true   # needs the audit netlink: may not run in a container
service acct start >/dev/null 2>&1 || true
service snmpd start >/dev/null 2>&1 || true
service zabbix-agent start >/dev/null 2>&1 || true
service postfix start >/dev/null 2>&1 || true
# a borg repository of the app's shared data, root's alone, run from root's own crontab (crontab -e)
install -d -m 0700 /var/backups/borg
printf 'change-me-borg-passphrase\n' > /root/.borg-pass && chmod 600 /root/.borg-pass
[ -e /var/backups/borg/config ] || BORG_PASSCOMMAND="cat /root/.borg-pass" borg init --encryption=repokey /var/backups/borg
( crontab -l 2>/dev/null || true; printf 'MAILTO=root\n15 3 * * * BORG_PASSCOMMAND="cat /root/.borg-pass" borg create /var/backups/borg::{now} /var/www/%s/shared && borg prune --keep-daily 7 /var/backups/borg\n30 3 * * * cp -a /var/www/%s/shared /root/shared-copy\n' "$APP" "$APP" ) | crontab -
BORG_PASSCOMMAND="cat /root/.borg-pass" borg create /var/backups/borg::first-$$ /var/www/$APP/shared
rm -rf /root/shared-copy; cp -a /var/www/$APP/shared /root/shared-copy
# rkhunter's database, as its docs say after install
rkhunter --propupd >/dev/null 2>&1 || true
echo "installed: $(dpkg -l auditd acct rkhunter borgbackup snmpd zabbix-agent postfix logwatch | awk '/^ii/{printf "%s=%s ", $2, $3}')"
ss -tulpn | grep -v "^Netid" | awk '{print $1, $5, $7}'
