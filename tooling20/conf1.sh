# nftables: an admin's ruleset, enabled as systemctl enable does
cat > /etc/nftables.conf <<'N'
#!/usr/sbin/nft -f
flush ruleset
table inet filter {
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    iif lo accept
    tcp dport { 22, 80, 443 } accept
  }
}
N
u=/lib/systemd/system/nftables.service; [ -e $u ] || u=/usr/lib/systemd/system/nftables.service
mkdir -p /etc/systemd/system/sysinit.target.wants && ln -sf $u /etc/systemd/system/sysinit.target.wants/nftables.service
# iptables-persistent: saved rules
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 9100 -s 10.0.0.0/8 -j ACCEPT\nCOMMIT\n' > /etc/iptables/rules.v4
# lynis run once and weekly from cron
lynis audit system --quick --quiet --no-colors >/dev/null 2>&1 || true
printf '0 3 * * 0 root /usr/sbin/lynis audit system --cronjob >/dev/null 2>&1\n' > /etc/cron.d/lynis
# vim / shell niceties of an admin
printf 'syntax on\nset background=dark\n' > /etc/vim/vimrc.local
printf 'export EDITOR=vim\nexport HISTTIMEFORMAT="%%F %%T "\nalias ll="ls -la"\n' > /etc/profile.d/ops.sh
# restic backups of the app's data and /etc by root's cron
echo 'r3st1c-pass' > /root/.restic-pass && chmod 0600 /root/.restic-pass
restic init -q --repo /var/backups/restic --password-file /root/.restic-pass
printf '45 2 * * * root /usr/bin/restic -q -r /var/backups/restic --password-file /root/.restic-pass backup /etc /var/www/yourapplication/shared\n' > /etc/cron.d/restic
# unattended-upgrades mailing root, automatic reboot, enabled
sed -i 's|^//Unattended-Upgrade::Mail ".*";|Unattended-Upgrade::Mail "root";|; s|^//Unattended-Upgrade::MailReport .*|Unattended-Upgrade::MailReport "on-change";|; s|^//Unattended-Upgrade::Automatic-Reboot ".*";|Unattended-Upgrade::Automatic-Reboot "true";|' /etc/apt/apt.conf.d/50unattended-upgrades
grep -q '^Unattended-Upgrade::Mail "root";' /etc/apt/apt.conf.d/50unattended-upgrades
printf 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n' > /etc/apt/apt.conf.d/20auto-upgrades
# monit watching Apache, its http interface on localhost
sed -i 's/^#\? *set httpd port 2812.*/set httpd port 2812 and/; s/^#\? *use address localhost.*/    use address localhost/; s/^#\? *allow localhost.*/    allow localhost/' /etc/monit/monitrc
printf 'check process apache with pidfile /run/apache2/apache2.pid\n  start program = "/usr/sbin/apache2ctl start"\n  stop program = "/usr/sbin/apache2ctl stop"\n  if failed host 127.0.0.1 port 80 protocol http then alert\n' > /etc/monit/conf.d/apache
chmod 0600 /etc/monit/monitrc
monit -t && (monit -c /etc/monit/monitrc)
# nscd, as its package starts it
service nscd start || nscd
# an admin user with a tmux session left running; root's screen session (sudo -i, then screen)
id admin >/dev/null 2>&1 || useradd -m -s /bin/bash -G sudo,adm admin
runuser -u admin -- tmux new -d -s ops 'tail -F /var/log/apache2/error.log'
screen -dmS maint bash
# pipx: a tool for everyone (root's pipx into /opt, commands in /usr/local/bin), and one in the admin's own home
PIP_NO_INDEX=1 PIPX_HOME=/opt/pipx PIPX_BIN_DIR=/usr/local/bin timeout 120 pipx install /root/pyflakes-4.1.0-py2.py3-none-any.whl
cp /root/pyflakes-4.1.0-py2.py3-none-any.whl /tmp/ && chmod 644 /tmp/pyflakes-4.1.0-py2.py3-none-any.whl
runuser -u admin -- env PIP_NO_INDEX=1 HOME=/home/admin timeout 120 pipx install /tmp/pyflakes-4.1.0-py2.py3-none-any.whl
sleep 1; ss -lntp 2>/dev/null || grep ':0AF0' /proc/net/tcp
ps -eo user,pid,args | grep -E 'monit|nscd|tmux|SCREEN' | grep -v grep
ls -la /var/run/nscd/ 2>/dev/null; ls -la /usr/local/bin
