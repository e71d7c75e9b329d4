DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends puppet-agent unbound cockpit-ws cockpit-bridge ntpsec >/tmp/apt3.log 2>&1 || { tail -30 /tmp/apt3.log; exit 1; }
printf '/var/www/yourapplication/shared/data/*.log {\n  weekly\n  rotate 4\n  compress\n  missingok\n  notifempty\n  su yourapplication yourapplication\n  create 0640 yourapplication yourapplication\n}\n' > /etc/logrotate.d/yourapplication
logrotate -d /etc/logrotate.d/yourapplication >/dev/null 2>&1 || true
(service unbound start || unbound) >/dev/null 2>&1 || true
(service ntpsec start || ntpd -u ntpsec:ntpsec) >/dev/null 2>&1 || true
puppet agent --daemonize --server puppet.example.com >/dev/null 2>&1 || true
sleep 3
ss -lntup 2>/dev/null | grep -v apache2
ps -eo user,pid,args | grep -E 'unbound|ntpd|puppet|cockpit' | grep -v grep
find / -xdev -perm /6000 -type f -newer /tmp/apt2.log 2>/dev/null
