# batch 1: configure and start as the packages would (no init in the container)
# postfix as a null client: relay everything to a smarthost with SASL, listen on loopback only, deliver nothing here
postconf -e 'inet_interfaces = loopback-only' 'mydestination =' 'local_transport = error:local delivery is disabled' \
  'smtp_sasl_auth_enable = yes' 'smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd' \
  'smtp_sasl_security_options = noanonymous' 'smtp_tls_security_level = encrypt'
printf '[smtp.example.com]:587 web@example.com:s3cret\n' > /etc/postfix/sasl_passwd
chmod 0600 /etc/postfix/sasl_passwd && postmap /etc/postfix/sasl_passwd
printf 'root: ops@example.com\n' >> /etc/aliases && newaliases
service postfix start || postfix start
# zabbix agent2: its server and a conf.d file
sed -i 's/^Server=.*/Server=10.0.0.5/; s/^ServerActive=.*/ServerActive=10.0.0.5/' /etc/zabbix/zabbix_agent2.conf
printf 'Hostname=web1\n' > /etc/zabbix/zabbix_agent2.d/host.conf
mkdir -p /run/zabbix && chown zabbix:zabbix /run/zabbix
service zabbix-agent2 start || (setsid runuser -u zabbix -- /usr/sbin/zabbix_agent2 -c /etc/zabbix/zabbix_agent2.conf </dev/null >/dev/null 2>&1 &)
# prometheus apache exporter (scrapes Apache's server-status): its defaults file, started as its unit would
setsid runuser -u prometheus -- /usr/bin/prometheus-apache-exporter </dev/null >/dev/null 2>&1 &
# fail2ban with Apache jails, polling the logs
printf '[apache-auth]\nenabled = true\nbackend = polling\n\n[apache-badbots]\nenabled = true\nbackend = polling\n' \
  > /etc/fail2ban/jail.d/apache.local
printf '[sshd]\nenabled = false\n' > /etc/fail2ban/jail.d/zz-nosshd.local
service fail2ban start || fail2ban-client start
# rsyslog forwarding to a log host
printf '*.* @@logs.example.com:6514\n' > /etc/rsyslog.d/90-forward.conf
service rsyslog start || rsyslogd
service cron start || cron
# apticron, smartd, logcheck, clamav: configuration only (no network, no disks; clamd has no database)
sed -i 's/^# *EMAIL=.*/EMAIL="ops@example.com"/' /etc/apticron/apticron.conf 2>/dev/null || printf 'EMAIL="ops@example.com"\n' > /etc/apticron/apticron.conf
sed -i 's/^DEVICESCAN.*/DEVICESCAN -a -m root -M daily/' /etc/smartd.conf
sed -i 's/^SENDMAILTO=.*/SENDMAILTO="ops@example.com"/' /etc/logcheck/logcheck.conf
# awstats for the app's vhost (the package's cron job runs as www-data); goaccess's report from root's cron
cp /etc/awstats/awstats.conf /etc/awstats/awstats.web.conf
sed -i 's/^SiteDomain=.*/SiteDomain="web.example.com"/' /etc/awstats/awstats.web.conf
printf '5 * * * * root /usr/bin/goaccess /var/log/apache2/access.log --log-format=COMBINED -o /var/www/html/report.html -q\n' \
  > /etc/cron.d/goaccess
/usr/bin/goaccess /var/log/apache2/access.log --log-format=COMBINED -o /var/www/html/report.html -q || true
# a git checkout of the team's tools under /opt, root's, run from cron; ansible-pull from root's cron
git config --global user.email ops@example.com; git config --global user.name ops
mkdir -p /srv/git && git init -q --bare /srv/git/ops-tools.git && git init -q --bare /srv/git/playbooks.git
d=$(mktemp -d) && git -C $d init -q && mkdir $d/bin && printf '#!/bin/sh\ndf -h / > /var/tmp/disk-report\n' > $d/bin/report \
  && chmod 0755 $d/bin/report && printf -- '- hosts: localhost\n  connection: local\n  tasks:\n    - copy: {dest: /etc/issue.net, content: "authorised use only\\n"}\n' > $d/local.yml \
  && git -C $d add -A && git -C $d commit -qm init && git -C $d push -q /srv/git/ops-tools.git HEAD:master \
  && git -C $d push -q /srv/git/playbooks.git HEAD:master
git clone -q /srv/git/ops-tools.git /opt/ops-tools
printf '17 * * * * root /opt/ops-tools/bin/report\n' > /etc/cron.d/ops-tools
printf '*/30 * * * * root /usr/bin/ansible-pull -U /srv/git/playbooks.git -d /var/lib/ansible/local local.yml >/var/log/ansible-pull.log 2>&1\n' > /etc/cron.d/ansible-pull
/usr/bin/ansible-pull -U /srv/git/playbooks.git -d /var/lib/ansible/local local.yml >/var/log/ansible-pull.log 2>&1 || tail -5 /var/log/ansible-pull.log
# a second admin login with its own sudo rule and key; the first admin's ~/.ssh/config
useradd -m -s /bin/bash ops
install -d -m 0700 -o ops -g ops /home/ops/.ssh
ssh-keygen -q -t ed25519 -N '' -C ops@laptop -f /root/ops-key
install -m 0600 -o ops -g ops /root/ops-key.pub /home/ops/.ssh/authorized_keys
printf 'ops ALL=(root) NOPASSWD: /usr/sbin/apache2ctl graceful, /usr/sbin/apache2ctl configtest\n' > /etc/sudoers.d/ops
chmod 0440 /etc/sudoers.d/ops && visudo -cq
useradd -m -s /bin/bash -G sudo,adm admin
install -d -m 0700 -o admin -g admin /home/admin/.ssh
printf 'Host *.internal\n  ProxyJump bastion.example.com\n  IdentityFile ~/.ssh/id_ed25519\nHost *\n  ServerAliveInterval 30\n' > /home/admin/.ssh/config
chown admin:admin /home/admin/.ssh/config && chmod 0600 /home/admin/.ssh/config
i=0; until ss -ltn | grep -q ':9117 ' && ss -ltn | grep -q ':10050 ' || [ $i -ge 200 ]; do i=$((i+1)); sleep 0.1; done
ss -ltnp | sed 1d | awk '{print $4, $6}'
