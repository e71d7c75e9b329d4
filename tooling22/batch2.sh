# batch 2: the web tier's and the logs' ordinary tooling (after batch 1)
export DEBIAN_FRONTEND=noninteractive
mv /etc/apt/apt.conf.d/01proxy /root/01proxy
apt-get install -y -qq --no-install-recommends syslog-ng-core sshguard prometheus-blackbox-exporter apache2-utils \
  >/tmp/apt2.log 2>&1 || { tail -30 /tmp/apt2.log; mv /root/01proxy /etc/apt/apt.conf.d/; exit 1; }
mv /root/01proxy /etc/apt/apt.conf.d/01proxy
# syslog-ng as the system logger (Debian's config), with a conf.d file forwarding to the log host and reading Apache's logs
cat > /etc/syslog-ng/conf.d/forward.conf <<'C'
source s_apache { file("/var/log/apache2/access.log" follow-freq(1) flags(no-parse)); };
destination d_loghost { network("logs.example.com" port(514) transport("tcp")); };
log { source(s_src); source(s_apache); destination(d_loghost); };
C
syslog-ng --process-mode=background || true
# sshguard reading the auth log (its Debian default backend: nftables sets)
printf 'LOGREADER="LANG=C /usr/bin/tail -F -n 0 /var/log/auth.log"\n' >> /etc/sshguard/sshguard.conf
touch /var/log/auth.log; (setsid /usr/sbin/sshguard </dev/null >/dev/null 2>&1 &) ; sleep 1
# blackbox exporter on its default port, as its account
(setsid runuser -u prometheus -- /usr/bin/prometheus-blackbox-exporter --config.file=/etc/prometheus/blackbox.yml </dev/null >/dev/null 2>&1 &)
# Apache: behind a load balancer (remoteip), security headers, MPM tuning, basic auth on a private location,
# and a second site the team serves (its docs, static)
a2enmod -q remoteip headers auth_basic authn_file >/dev/null
printf 'RemoteIPHeader X-Forwarded-For\nRemoteIPTrustedProxy 10.0.0.0/8\n' > /etc/apache2/conf-available/remoteip.conf
printf 'Header always set X-Content-Type-Options "nosniff"\nHeader always set X-Frame-Options "SAMEORIGIN"\nHeader always set Referrer-Policy "strict-origin-when-cross-origin"\n' > /etc/apache2/conf-available/security-headers.conf
sed -i 's/^\(\s*MaxRequestWorkers\s*\)150/\1300/' /etc/apache2/mods-available/mpm_event.conf
htpasswd -bc /etc/apache2/.htpasswd ops 'ops-pass' 2>/dev/null; chown root:www-data /etc/apache2/.htpasswd; chmod 0640 /etc/apache2/.htpasswd
printf '<Location /private>\n  AuthType Basic\n  AuthName "ops"\n  AuthUserFile /etc/apache2/.htpasswd\n  Require valid-user\n</Location>\n' > /etc/apache2/conf-available/private.conf
a2enconf -q remoteip security-headers private >/dev/null
mkdir -p /var/www/docs && echo '<h1>docs</h1>' > /var/www/docs/index.html
printf '<VirtualHost *:80>\n  ServerName docs.example.com\n  DocumentRoot /var/www/docs\n  ErrorLog ${APACHE_LOG_DIR}/docs-error.log\n  CustomLog ${APACHE_LOG_DIR}/docs-access.log combined\n</VirtualHost>\n' > /etc/apache2/sites-available/docs.conf
a2ensite -q docs >/dev/null
apache2ctl configtest
service apache2 restart >/dev/null
sleep 2; ps -eo user,pid,args | grep -E 'syslog-ng|sshguard|sshg-|blackbox|apache2 -k' | grep -v grep | head
