import json, sys
plat = sys.argv[1]
systemctl_enable = "if command -v systemctl >/dev/null; then systemctl enable -q {u}; else mkdir -p /etc/systemd/system/multi-user.target.wants && ln -sf /lib/systemd/system/{t} /etc/systemd/system/multi-user.target.wants/{u}; fi"
steps = [
 ["cli", "tmux screen vim htop ncdu git mosh python3-venv pipx goaccess apache2-utils",
  "python3 -m venv /opt/ops-tools && printf '#!/opt/ops-tools/bin/python3\\nimport sys; print(sys.prefix)\\n' > /opt/ops-tools/bin/opscheck && chmod 755 /opt/ops-tools/bin/opscheck && ln -s /opt/ops-tools/bin/opscheck /usr/local/bin/opscheck && printf '17 * * * * root /usr/local/bin/opscheck >/dev/null\\n' > /etc/cron.d/opscheck; mkdir -p /root/.config && echo 'set -g mouse on' > /root/.tmux.conf; echo 'syntax on' > /etc/vim/vimrc.local"],
 ["etckeeper", "etckeeper", "cd /etc && etckeeper commit -m 'ops: baseline' >/dev/null 2>&1; sed -i 's/^#AVOID_DAILY_AUTOCOMMITS=1/AVOID_DAILY_AUTOCOMMITS=1/' /etc/etckeeper/etckeeper.conf; etckeeper commit -m 'ops: tweak' >/dev/null 2>&1; true"],
 ["needrestart", "needrestart", "printf '$nrconf{restart} = \"a\";\\n' > /etc/needrestart/conf.d/50-autorestart.conf"],
 ["sysstat+vnstat", "sysstat vnstat", "sed -i 's/^ENABLED=\"false\"/ENABLED=\"true\"/' /etc/default/sysstat; service sysstat start; service vnstat start || vnstatd -d; sleep 2; pgrep -a vnstatd"],
 ["smart+lvm+mdadm", "smartmontools lvm2 mdadm", "true"],
 ["auditd+aide", "auditd aide aide-common", "printf -- '-w /etc/sudoers -p wa -k sudoers\\n' > /etc/audit/rules.d/50-ops.rules; printf '!/var/www\\n' > /etc/aide/aide.conf.d/99_local_ops"],
 ["apparmor-utils+logwatch", "apparmor-utils logwatch", "sed -i 's/^Detail = Low/Detail = Med/' /usr/share/logwatch/default.conf/logwatch.conf; mkdir -p /etc/logwatch/conf && printf 'Detail = Med\\nMailTo = root\\n' > /etc/logwatch/conf/logwatch.conf"],
 ["wireguard+openvpn", "wireguard-tools openvpn",
  "umask 077; printf '[Interface]\\nPrivateKey = %s\\nAddress = 10.9.0.1/24\\nListenPort = 51820\\n' \"$(wg genkey)\" > /etc/wireguard/wg0.conf; " + systemctl_enable.format(u="wg-quick@wg0.service", t="wg-quick@.service")],
 ["nfs-common+rpcbind", "nfs-common rpcbind", "service rpcbind start || rpcbind -w; sleep 1; pgrep -a rpcbind"],
 ["mod-evasive+awstats", "libapache2-mod-evasive awstats", "service apache2 restart >/dev/null; printf '<IfModule mod_evasive20.c>\\n  DOSPageCount 5\\n</IfModule>\\n' >> /etc/apache2/mods-available/evasive.conf; apache2ctl graceful"],
 ["certbot-apache", "certbot python3-certbot-apache ssl-cert", "certbot install --apache -n --agree-tos -m ops@example.com -d $(hostname) --cert-path /etc/ssl/certs/ssl-cert-snakeoil.pem --key-path /etc/ssl/private/ssl-cert-snakeoil.key --fullchain-path /etc/ssl/certs/ssl-cert-snakeoil.pem --redirect 2>&1 | tail -5; service apache2 restart; ls /etc/apache2/sites-enabled"],
 ["ansible-pull", "ansible-core", "printf '*/30 * * * * root ansible-pull -U https://git.example.com/ops.git -i localhost, site.yml >>/var/log/ansible-pull.log 2>&1\\n' > /etc/cron.d/ansible-pull"],
]
if plat == "debian13":
    steps.insert(3, ["postfix-local", "postfix", None])
    steps[3][2] = "service postfix start || postfix start; sleep 2; ss -ltnp 2>/dev/null | head; true"
    steps.insert(4, ["ntpsec", "ntpsec", "service ntpsec start || ntpd -u ntpsec:ntpsec -g; sleep 2; pgrep -a ntpd"])
    steps.append(["puppet-agent-disabled", "puppet-agent", "systemctl disable -q puppet.service 2>/dev/null; puppet agent --disable 'ops: manual' 2>&1 | tail -2; true"])
else:
    steps.insert(3, ["nullmailer", "nullmailer", "service nullmailer start; sleep 1; pgrep -a nullmailer"])
    steps.insert(4, ["openntpd", "openntpd", "service openntpd start || ntpd; sleep 2; pgrep -a ntpd"])
    steps.append(["puppet-disabled", "puppet", "update-rc.d puppet disable 2>&1|tail -1; puppet agent --disable 'ops: manual' 2>&1 | tail -2; true"])
pre = {"postfix-local": "echo 'postfix postfix/main_mailer_type select Local only' | debconf-set-selections; echo 'postfix postfix/mailname string web.example.com' | debconf-set-selections",
       "nullmailer": "echo 'nullmailer shared/mailname string web.example.com' | debconf-set-selections; echo 'nullmailer nullmailer/relayhost string smtp.example.com' | debconf-set-selections"}
out = []
for label, pk, sc in steps:
    if label in pre:
        out.append([label + "-debconf", "", pre[label] ]) if False else None
        sc = pre[label] + "; " + (sc or "")
        # debconf must be set before install: run pre in a no-package step
        out.append([label + " (preseed)", "", pre[label]])
    out.append([label, pk, sc])
json.dump(out, open(f"/tmp/t23/steps-{plat}.json", "w"), indent=1)
