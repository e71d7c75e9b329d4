# batch 3: a monitoring master's web page, an agent, entropy and apt helpers (after batches 1 and 2)
export DEBIAN_FRONTEND=noninteractive
mv /etc/apt/apt.conf.d/01proxy /root/01proxy
apt-get install -y -qq --no-install-recommends munin icinga2-bin icinga2-common haveged cron-apt \
  debian-security-support irqbalance >/tmp/apt3.log 2>&1 || { tail -30 /tmp/apt3.log; mv /root/01proxy /etc/apt/apt.conf.d/; exit 1; }
mv /root/01proxy /etc/apt/apt.conf.d/01proxy
# munin master: its Apache conf (the package enables it when apache2 is there), its cron job as munin
a2enconf -q munin 2>/dev/null || true
# icinga2 as an agent: the node wizard's usual result, api feature on *:5665 (run as nagios)
icinga2 feature enable api >/dev/null 2>&1 || true
mkdir -p /run/icinga2 && chown nagios:nagios /run/icinga2
(setsid icinga2 daemon -d >/dev/null 2>&1 || true)
haveged -w 1024 >/dev/null 2>&1 || true
irqbalance >/dev/null 2>&1 || true
p=$(stat -c %y /run/apache2/apache2.pid); apache2ctl graceful; i=0; while [ "$(stat -c %y /run/apache2/apache2.pid)" = "$p" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
sleep 2; ps -eo user,pid,args | grep -E 'icinga|haveged|irqbal|munin' | grep -v grep | head
