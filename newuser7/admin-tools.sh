set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq unattended-upgrades cron rsyslog logrotate munin-node fail2ban needrestart etckeeper >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }
# munin-node on loopback only (the admin's choice: the munin master tunnels in over ssh)
sed -i 's/^host \*$/host 127.0.0.1/' /etc/munin/munin-node.conf
grep -q '^host 127.0.0.1' /etc/munin/munin-node.conf
service cron start
service rsyslog start || rsyslogd
service munin-node start || munin-node
service fail2ban start || fail2ban-client start || true
# unattended-upgrades as the installer enables it
printf 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n' > /etc/apt/apt.conf.d/20auto-upgrades
# an admin crontab (root's) and a cron.d job
printf 'MAILTO=ops@example.com\n15 3 * * * /usr/bin/apt-get -qq autoclean\n' | crontab -
printf 'SHELL=/bin/sh\n*/10 * * * * root /usr/bin/test -x /usr/sbin/munin-run && /usr/sbin/munin-run cpu >/dev/null 2>&1 || true\n' > /etc/cron.d/munin-check
# the second admin: own key, Debian's sudo group, a password for sudo
useradd -m -s /bin/bash -G sudo,adm ops
echo 'ops:Ops-pass-2026!' | chpasswd
install -d -m 0700 -o ops -g ops /home/ops/.ssh
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq8m2Jf1kq3g8WvQp3xZr6bqk1d8Yt5yqfP9a2cJ0Hs ops@laptop' > /home/ops/.ssh/authorized_keys
chown ops:ops /home/ops/.ssh/authorized_keys && chmod 0600 /home/ops/.ssh/authorized_keys
# a backup script run by a systemd timer
cat > /usr/local/sbin/backup-app <<'EOS'
#!/bin/sh
# nightly copy of the app's data, readable by root only
set -eu
umask 077
mkdir -p /var/backups/app
tar -czf "/var/backups/app/shared-$(date +%F).tgz" -C /var/www/APPNAME shared
find /var/backups/app -name 'shared-*.tgz' -mtime +14 -delete
EOS
sed -i "s/APPNAME/$APP/" /usr/local/sbin/backup-app
chmod 0755 /usr/local/sbin/backup-app
cat > /etc/systemd/system/backup-app.service <<'EOS'
[Unit]
Description=Back up the app's shared data

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/backup-app
EOS
cat > /etc/systemd/system/backup-app.timer <<'EOS'
[Unit]
Description=Nightly backup of the app's shared data

[Timer]
OnCalendar=*-*-* 02:30:00
Persistent=true

[Install]
WantedBy=timers.target
EOS
mkdir -p /etc/systemd/system/timers.target.wants
ln -sf /etc/systemd/system/backup-app.timer /etc/systemd/system/timers.target.wants/backup-app.timer
/usr/local/sbin/backup-app
ls -l /var/backups/app
# logrotate run once (it reloads Apache as nightly), etckeeper commit
logrotate -f /etc/logrotate.conf || true
etckeeper commit -m "admin tooling" >/dev/null 2>&1 || true
i=0; until [ -s /var/run/apache2/apache2.pid ] && kill -0 "$(cat /var/run/apache2/apache2.pid)" || [ $i -ge 100 ]; do i=$((i+1)); sleep 0.1; done
ss -ltnup | sed 's/  */ /g'
