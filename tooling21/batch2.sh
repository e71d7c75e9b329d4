# batch 2: the two open items: puppet agent's own directory; an sssd allowance then an unrelated install
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends puppet-agent sssd-ldap libnss-sss libpam-sss libsss-sudo >/tmp/apt2.log 2>&1 || { tail -30 /tmp/apt2.log; exit 1; }
printf '[sssd]\nservices = nss, pam, sudo\ndomains = corp\n\n[domain/corp]\nid_provider = ldap\nauth_provider = ldap\nsudo_provider = ldap\nldap_uri = ldap://ldap.example.com\nldap_search_base = dc=example,dc=com\n' > /etc/sssd/sssd.conf
chmod 0600 /etc/sssd/sssd.conf
sssd -D || true
puppet agent --daemonize --server puppet.example.com >/dev/null 2>&1 || true
i=0; until [ -d /etc/puppet/devices ] || [ $i -ge 100 ]; do i=$((i+1)); sleep 0.2; done
ls -ld /etc/puppet/devices; pgrep -a sssd | head -3
