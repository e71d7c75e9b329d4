# ruff: noqa
"""Other members of the classes closed, written after reading the gate (each missed by main, to be caught after).

Class 1 (the runner's own connection at sshd's next start): the pinned host key's HostKey line swapped for a new
ECDSA key; AddressFamily inet6 (the runner reaches the server over IPv4); a cipher list without an AEAD cipher and a
MAC list of UMACs only (none the runner's client speaks).
Class 2 (a program no package ships left to pid 1, whoever it runs as): a vendor's Python agent under
/var/lib/vendor run as the 'daemon' account.
Class 3 (Apache's run directory, which its control and the daemons' sockets rely on): the run dir group-writable
by www-data; the pid file naming another pid (a stale copy put back).
"""
import faults

ENTRIES = []


def member(id, cls, area, inject, check, harm):
    ENTRIES.append(dict(id=id, kind="fault", area=area, cls=cls, inject=inject.strip(), check=check.strip(),
                        harm=harm))


member("after-sshd-hostkey-line-swapped", 1, "mechanisms", r"""
ssh-keygen -q -t ecdsa -b 256 -N '' -f /etc/ssh/ssh_host_ecdsa_key
sed -i 's|^HostKey /etc/ssh/ssh_host_ed25519_key$|HostKey /etc/ssh/ssh_host_ecdsa_key|' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'hostkey /etc/ssh/ssh_host_ecdsa_key' && ! SSHDT | grep -qx 'hostkey /etc/ssh/ssh_host_ed25519_key'""",
       "the host key line swapped for a new ECDSA key ('FIPS algorithms only'): at sshd's next start it proves "
       "itself with a key the runner never pinned; every deploy and gate run refuses the host")

member("after-sshd-addressfamily-inet6", 1, "mechanisms", r"""
sed -i '1i AddressFamily inet6' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'addressfamily inet6' && ! SSHDT | grep -q '^listenaddress 0.0.0.0'""",
       "sshd told to listen on IPv6 only: at its next start the runner, which reaches the server over IPv4, "
       "connects to nothing")

member("after-sshd-umac-only-no-aead", 1, "mechanisms", r"""
sed -i '1i MACs umac-128-etm@openssh.com,umac-64-etm@openssh.com' /etc/ssh/sshd_config
sed -i '1i Ciphers aes256-ctr,aes128-ctr' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'macs umac-128-etm@openssh.com,umac-64-etm@openssh.com' && SSHDT | grep -qx 'ciphers aes256-ctr,aes128-ctr'""",
       "CTR ciphers with UMAC-only MACs (a 'fast MACs' tuning): the runner's SSH client has no UMAC and no AEAD "
       "cipher is left; at sshd's next start no deploy or gate run connects")

member("after-daemon-account-runs-vendor-script", 2, "runs", r"""
mkdir -p /var/lib/vendor
printf 'import time\nwhile True:\n    time.sleep(60)\n' > /var/lib/vendor/agent.py
setsid setpriv --reuid=daemon --regid=daemon --init-groups python3 /var/lib/vendor/agent.py </dev/null >/dev/null 2>&1 &
sleep 1
""", r"""pgrep -u daemon -f /var/lib/vendor/agent.py >/dev/null""",
       "a vendor's Python agent (a script no package ships) left running as the 'daemon' system account, outside "
       "any session or service")

member("after-run-dir-group-writable-www-data", 3, "grants", r"""
. /etc/apache2/envvars
chgrp www-data "$APACHE_RUN_DIR"; chmod 0775 "$APACHE_RUN_DIR"
""", r"""( . /etc/apache2/envvars; ls "$APACHE_RUN_DIR"/wsgi.*.sock >/dev/null 2>&1 && runuser -u www-data -- test -w "$APACHE_RUN_DIR" )""",
       "Apache's run directory made group-writable for www-data: its workers may replace a daemon's socket (the app's "
       "requests) and the pid file")

member("after-pid-file-names-another-pid", 3, "mechanisms", r"""
. /etc/apache2/envvars
echo 1 > "$APACHE_PID_FILE"
""", r"""( . /etc/apache2/envvars; test "$(cat $APACHE_PID_FILE)" = 1 ) && pgrep -x apache2 >/dev/null""",
       "Apache's pid file overwritten with another pid (a stale copy restored from a backup of /run): apache2ctl "
       "graceful and stop signal the wrong process; no reload reaches Apache")

# (after-run-dir-group-writable-www-data was caught on main by test_every_apache_file_is_accounted_for: not counted as
# a member of class 3; this one is)
member("after-run-dir-owned-by-deploy-login", 3, "grants", r"""
. /etc/apache2/envvars
chown $DEPU "$APACHE_RUN_DIR"
""", r"""( . /etc/apache2/envvars; ls "$APACHE_RUN_DIR"/wsgi.*.sock >/dev/null 2>&1 && runuser -u $DEPU -- test -w "$APACHE_RUN_DIR" )""",
       "Apache's run directory chowned to the deploy login ('so deploys can clean stale sockets'): it may replace a "
       "daemon's socket and receive the app's requests (other users' cookies), and the pid file")

# class 4 (PAM's password stack storing new passwords in a weak hash), written after reading the gate
member("after-pam-passwd-bigcrypt", 4, "grants", r"""
sed -i 's/^@include common-password$/password required pam_unix.so bigcrypt/' /etc/pam.d/passwd
""", r"""grep -q '^password required pam_unix.so bigcrypt' /etc/pam.d/passwd && ! grep -q '^@include common-password' /etc/pam.d/passwd""",
       "passwd's own stack set to pam_unix bigcrypt (a copy from an old server): every password changed with passwd "
       "(root's, an admin's) is stored in a DES-based hash")

# (after-pam-passwd-bigcrypt was caught on main by the guard rule: it removed a line passwd's conffile ships; not
# counted as a member; this one adds a line and removes none)
member("after-pam-chpasswd-md5-line-added", 4, "grants", r"""
sed -i '0,/^@include common-password/s//password [success=done default=ignore] pam_unix.so md5\n@include common-password/' /etc/pam.d/chpasswd
""", r"""useradd -M blind20tmp && echo 'blind20tmp:Xy-123-plain' | chpasswd && H=$(getent shadow blind20tmp | cut -d: -f2); userdel blind20tmp; case "$H" in '$1$'*) true;; *) false;; esac""",
       "chpasswd's stack given its own pam_unix md5 line before the include (for a bulk import tool): every "
       "password set with chpasswd (provisioning, an admin's reset) is stored as MD5-crypt")
