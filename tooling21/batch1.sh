# batch 1: install by hand, as an admin would (Debian's mirror), tooling not tried in earlier rounds
export DEBIAN_FRONTEND=noninteractive
debconf-set-selections <<'SEL'
postfix postfix/main_mailer_type select Satellite system
postfix postfix/relayhost string [smtp.example.com]:587
postfix postfix/mailname string web.example.com
SEL
apt-get install -y -qq --no-install-recommends zabbix-agent2 prometheus-apache-exporter clamav-daemon apticron \
  smartmontools ansible-core git awstats goaccess logcheck fail2ban postfix libsasl2-modules rsyslog cron \
  prometheus-node-exporter-collectors >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }
dpkg -l | awk '/^ii/{print $2}' | grep -E 'postfix|exim|zabbix|clam|ansible|fail2ban' | tr '\n' ' '; echo
