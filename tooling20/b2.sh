DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sssd-ldap sssd-common libnss-sss libpam-sss libsss-sudo >/tmp/apt2.log 2>&1 || { tail -30 /tmp/apt2.log; exit 1; }
cat > /etc/sssd/sssd.conf <<'S'
[sssd]
services = nss, pam, sudo
domains = example.com

[domain/example.com]
id_provider = ldap
auth_provider = ldap
sudo_provider = ldap
ldap_uri = ldap://ldap.example.com
ldap_search_base = dc=example,dc=com
cache_credentials = true
S
chmod 0600 /etc/sssd/sssd.conf
grep -v '^#' /etc/nsswitch.conf | grep .
grep -rn sss /etc/pam.d/ | head
(sssd -D || sssd --daemon) ; sleep 3; ps -eo user,pid,args | grep sss | grep -v grep; ls -la /var/lib/sss/pipes/ /var/lib/sss/pipes/private 2>&1 | head -20
