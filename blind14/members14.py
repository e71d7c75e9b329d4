# ruff: noqa: E501
"""blind14 phase 3 (NOT blind: written after reading the gate's code): the other member of each class a blind
fault found, run on real containers after the fixes, beside the blind faults that missed (faults14.py)."""
from __future__ import annotations

from faults14 import APT, B14, CONF, GRACEFUL_DONE

MEMBERS: tuple[B14, ...] = (
    B14("m14-inforce-vhost-restored", "mechanism", "the app's vhost edited (WSGIScriptReloading Off), reloaded, then "
        "its backup copied back with cp -p (bytes and mtime as bootstrap wrote them), no reload",
        "cp -p {vhost} /root/vhost.bak\nsed -i 's|^    WSGIProcessGroup|    WSGIScriptReloading Off\\n    WSGIProcessGroup|' {vhost}\n"
        f"{GRACEFUL_DONE}\ncp -p /root/vhost.bak {{vhost}}\ncmp /root/vhost.bak {{vhost}}",
        kind="in force vs on disk", action="deploy"),
    B14("m14-cron-hostkey-copy", "security", "a root cron job writing the SSH host key out with a redirect (0644)",
        f"{APT} cron >/dev/null\nmkdir -p /srv/keys\n"
        "printf '@daily root cat /etc/ssh/ssh_host_ed25519_key > /srv/keys/host.key\\n' > /etc/cron.d/hostkey-backup\n"
        "cat /etc/ssh/ssh_host_ed25519_key > /srv/keys/host.key\ntest \"$(stat -c %a /srv/keys/host.key)\" = 644",
        kind="copies of secrets"),
    B14("m14-ldcache-other-conf", "load", "the linker cache rebuilt from another config file (ldconfig -f) naming a "
        "dir the vendor account owns",
        "useradd -r -M -s /usr/sbin/nologin vendor\ninstall -d -o vendor /opt/vendor/lib\n"
        "cp /lib/*-linux-gnu/libz.so.1.* /opt/vendor/lib/\nchown -R vendor /opt/vendor\n"
        "echo /opt/vendor/lib > /root/vendor-ld.conf\nldconfig -f /root/vendor-ld.conf\n"
        "ldconfig -p | grep -q /opt/vendor/lib/libz", kind="ld.so"),
    B14("m14-dumpio", "security", "mod_dumpio left on (DumpIOInput at trace7), its conf and module allowed",
        f"a2enmod -q dump_io\nprintf 'DumpIOInput On\\nLogLevel dumpio:trace7\\n' > {CONF}/zz-dumpio.conf\n"
        "a2enconf -q zz-dumpio\napache2ctl graceful\nsleep 1\n"
        "curl -s -o /dev/null -H 'Authorization: Bearer b14token' http://127.0.0.1:{port}{health}\nsleep 0.5\n"
        "grep -q b14token /var/log/apache2/error.log", kind="secrets in logs"),
    B14("m14-python-warnings", "mechanism", "WSGIPythonWarnings error in a conf (allowed): deprecations raise in "
        "the daemons",
        f"echo 'WSGIPythonWarnings error' > {CONF}/zz-warmup.conf\na2enconf -q zz-warmup\napache2ctl configtest 2>/dev/null\n"
        "apache2ctl graceful", kind="daemon interpreter"),
    B14("m14-d13-inforce-reloading-off", "mechanism", "Debian 13: WSGIScriptReloading Off in force, gone from disk",
        f"echo 'WSGIScriptReloading Off' > {CONF}/zz-perf.conf\na2enconf -q zz-perf\n{GRACEFUL_DONE}\n"
        f"a2disconf -q zz-perf\nrm {CONF}/zz-perf.conf", kind="in force vs on disk", platforms=("debian13",), action="deploy"),
)
KEYS = ('allow_apache_conf = [' + ", ".join(f'"/etc/apache2/conf-enabled/zz-{n}.conf sha256:@"' for n in
                                           ("tune", "forensic", "hardening", "dumpio", "warmup")) + ']\n'
        'allow_modules = ["log_forensic_module", "headers_module", "dumpio_module"]')
