echo 'iptables-persistent iptables-persistent/autosave_v4 boolean false' | debconf-set-selections
echo 'iptables-persistent iptables-persistent/autosave_v6 boolean false' | debconf-set-selections
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nftables iptables-persistent lynis tmux screen vim htop bash-completion restic pipx python3-venv bsd-mailx unattended-upgrades cron logrotate monit nscd >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }
echo installed
