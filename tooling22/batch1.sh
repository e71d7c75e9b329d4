# batch 1: ordinary admin tooling not tried in earlier rounds, installed by hand from Debian's mirror as a team would
apt-get update -qq >/dev/null 2>&1 || true
export DEBIAN_FRONTEND=noninteractive
echo 'tripwire tripwire/use-sitekey boolean false' | debconf-set-selections
echo 'tripwire tripwire/use-localkey boolean false' | debconf-set-selections
echo 'msmtp msmtp/apparmor boolean false' | debconf-set-selections
apt-get install -y -qq --no-install-recommends atop acct dnsmasq borgmatic borgbackup mtr-tiny libpam-pwquality \
  libpam-tmpdir opendoas lldpd msmtp-mta memcached redis-server chkrootkit tripwire qemu-guest-agent \
  >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }
# atop: its service's command line (atop.service), and atopacctd (atopacct.service), both root
mkdir -p /var/log/atop
setsid /usr/sbin/atopacctd </dev/null >/dev/null 2>&1 || true
setsid sh -c 'exec /usr/bin/atop -w "/var/log/atop/atop_$(date +%Y%m%d)" 600' </dev/null >/dev/null 2>&1 &
# process accounting
/usr/sbin/accton /var/log/account/pacct || true
# dnsmasq as a local caching resolver (its documented conf-dir)
printf 'listen-address=127.0.0.1\nbind-interfaces\nno-resolv\nserver=9.9.9.9\ncache-size=1000\n' > /etc/dnsmasq.d/local-resolver.conf
mkdir -p /run/dnsmasq && chown dnsmasq:nogroup /run/dnsmasq
/usr/sbin/dnsmasq -x /run/dnsmasq/dnsmasq.pid -u dnsmasq -7 /etc/dnsmasq.d,.dpkg-dist,.dpkg-old,.dpkg-new --local-service
# borgmatic: config generated as its docs say, repository local, run from its packaged timer enabled
mkdir -p /etc/borgmatic
cat > /etc/borgmatic/config.yaml <<'Y'
location:
    source_directories:
        - /etc
        - /var/log/apache2
    repositories:
        - /var/backups/borgmatic
storage:
    encryption_passphrase: "team-secret"
retention:
    keep_daily: 7
Y
chmod 0600 /etc/borgmatic/config.yaml
BORG_PASSPHRASE=team-secret borg init -e repokey /var/backups/borgmatic
for u in $(dpkg -L borgmatic | grep -E '\.timer$'); do mkdir -p /etc/systemd/system/timers.target.wants; ln -sf "$u" /etc/systemd/system/timers.target.wants/; done
# libpam-pwquality and libpam-tmpdir: their pam-auth-update profiles (the postinst runs it)
sed -i 's/^# *minlen = .*/minlen = 14/' /etc/security/pwquality.conf
# doas for the admin group, as doas.conf(5) shows
printf 'permit persist :sudo\n' > /etc/doas.conf && chmod 0400 /etc/doas.conf
# lldpd (root parent, _lldpd child)
/usr/sbin/lldpd || true
# msmtp as the MTA: system config
printf 'defaults\nauth on\ntls on\naccount default\nhost smtp.example.com\nport 587\nfrom web@example.com\nuser web\npassword s3cret\n' > /etc/msmtprc
chmod 0640 /etc/msmtprc; chgrp msmtp /etc/msmtprc 2>/dev/null || true
# memcached and redis on loopback as shipped
/usr/share/memcached/scripts/start-memcached /etc/memcached.conf /run/memcached.pid 2>/dev/null || runuser -u memcache -- memcached -d -l 127.0.0.1 -p 11211 -m 64
mkdir -p /run/redis && chown redis:redis /run/redis
runuser -u redis -- /usr/bin/redis-server /etc/redis/redis.conf --daemonize yes --supervised no
# chkrootkit daily, tripwire's daily check present (no keys: not run)
sed -i 's/^RUN_DAILY=.*/RUN_DAILY="true"/' /etc/chkrootkit/chkrootkit.conf 2>/dev/null || true
# sysctl hardening, limits, timezone, persistent journal, apt proxy and the team's own apt repository
printf 'kernel.kptr_restrict = 2\nkernel.dmesg_restrict = 1\nfs.suid_dumpable = 0\nnet.ipv4.tcp_syncookies = 1\nnet.ipv4.conf.all.rp_filter = 1\n' > /etc/sysctl.d/90-hardening.conf
printf 'www-data soft nofile 65535\nwww-data hard nofile 65535\n* hard core 0\n' > /etc/security/limits.d/90-web.conf
ln -sf /usr/share/zoneinfo/Europe/Berlin /etc/localtime && echo Europe/Berlin > /etc/timezone
mkdir -p /var/log/journal /etc/systemd/journald.conf.d && printf '[Journal]\nSystemMaxUse=500M\n' > /etc/systemd/journald.conf.d/size.conf
printf 'Acquire::http::Proxy "http://apt-cache.example.com:3142";\n' > /etc/apt/apt.conf.d/01proxy
install -d -m 0755 /etc/apt/keyrings && cp /usr/share/keyrings/debian-archive-keyring.gpg /etc/apt/keyrings/team.gpg
printf 'Types: deb\nURIs: https://apt.example.com/debian\nSuites: stable\nComponents: main\nSigned-By: /etc/apt/keyrings/team.gpg\n' > /etc/apt/sources.list.d/team.sources
sleep 2; ps -eo user,pid,args | grep -E 'atop|dnsmasq|lldp|memcache|redis' | grep -v grep
