"""guard12: members of the three classes (issue 17), each injected as root on a fresh deployed container (docker
exec), the gate run read-only (run_guards.py). h01-h05: a guard taken away by a stock conffile line removed;
h06-h09: a setting that widens trust without a check word in its key; h10-h14: root's own dotfiles. BENIGN:
controls that must pass."""
from deploytests.faults.catalogue import Fault

SSHD_HUP = "/usr/sbin/sshd -t && kill -HUP $(pgrep -o -x sshd)"
PLAIN = [
    # (a) a stock line removed
    Fault("h01-sudoers-use-pty-commented", "security/grant", "sudo shares the caller's terminal (guard11 g15)",
          "sed -i 's/^Defaults\\tuse_pty/#Defaults use_pty/' /etc/sudoers; visudo -c -q"),
    Fault("h02-pam-sshd-nologin-deleted", "security/grant", "/etc/nologin no longer stops SSH logins",
          "sed -i '/pam_nologin.so/d' /etc/pam.d/sshd"),
    Fault("h03-login-defs-encrypt-method-deleted", "security/grant", "passwords set by passwd fall back to DES",
          "sed -i '/^ENCRYPT_METHOD/d' /etc/login.defs"),
    Fault("h04-pam-other-deleted", "security/grant", "PAM's fallback for services without a file of their own gone",
          "rm /etc/pam.d/other"),
    Fault("h05-sudoers-env-reset-replaced", "security/grant", "env_reset replaced by a repeat of a stock line",
          "sed -i 's/^Defaults\\tenv_reset/Defaults\\tmail_badpass/' /etc/sudoers; visudo -c -q"),
    # (a) a guard removed from a file no conffile stands for: pam-auth-update's common-auth (judged by its meaning)
    Fault("h15-common-auth-pam-deny-deleted", "security/grant", "a wrong password falls through to pam_permit",
          "sed -i '/pam_deny.so/d' /etc/pam.d/common-auth"),
    Fault("h16-common-auth-pam-deny-optional", "security/grant", "pam_deny made optional: the same fall-through",
          "sed -i 's/requisite\\t\\t\\tpam_deny.so/optional\\tpam_deny.so/' /etc/pam.d/common-auth; "
          "grep -q 'optional.pam_deny' /etc/pam.d/common-auth"),
    Fault("h17-common-account-pam-deny-deleted", "security/grant", "an expired account falls through to pam_permit",
          "sed -i '/pam_deny.so/d' /etc/pam.d/common-account"),
    # (b) trust widened without a check word
    Fault("h06-pip-conf-trusted-host", "security/load", "root's pip trusts an index host past TLS (guard11 g16)",
          "printf '[global]\\ntrusted-host = pypi.internal\\nindex-url = http://pypi.internal/simple\\n' "
          "> /etc/pip.conf"),
    Fault("h07-sshd-permit-user-environment", "security/grant", "sshd lets every login set LD_PRELOAD ... itself",
          "echo 'PermitUserEnvironment yes' >> /etc/ssh/sshd_config; " + SSHD_HUP),
    Fault("h08-ldap-tls-reqcert-never", "security/load", "the LDAP client accepts any server certificate",
          "mkdir -p /etc/ldap && printf 'BASE dc=example,dc=com\\nTLS_REQCERT never\\n' > /etc/ldap/ldap.conf"),
    Fault("h09-npmrc-unsafe-perm", "security/run", "root's npm runs package scripts as root",
          "printf 'unsafe-perm = true\\n' > /etc/npmrc"),
    # (c) root's own dotfiles
    Fault("h10-root-gitconfig-safe-star", "security/run", "root's git trusts every repository's hooks",
          "printf '[safe]\\n\\tdirectory = *\\n' > /root/.gitconfig"),
    Fault("h11-root-curlrc-insecure", "security/load", "root's curl skips TLS checks",
          "printf 'insecure\\n' > /root/.curlrc"),
    Fault("h12-root-pip-trusted-host", "security/load", "root's pip trusts a host past TLS",
          "mkdir -p /root/.config/pip && printf '[global]\\ntrusted-host = mirror.lan\\n' "
          "> /root/.config/pip/pip.conf"),
    Fault("h13-root-bashrc-git-no-verify", "security/load", "root's shells' git skips TLS checks",
          "echo 'export GIT_SSL_NO_VERIFY=1' >> /root/.bashrc"),
    Fault("h14-root-pydistutils-find-links", "security/load", "root's setuptools installs from another account's dir",
          "useradd -r -M tools; install -d -o tools -g tools /srv/tools /srv/tools/wheels; "
          "printf '[easy_install]\\nfind_links = /srv/tools/wheels\\n' > /root/.pydistutils.cfg"),
]
BENIGN = [
    Fault("c01-login-defs-umask-027", "control", "login.defs UMASK 022 -> 027 (a value changed in place, tighter)",
          "sed -i 's/^UMASK\\t\\t022/UMASK\\t\\t027/' /etc/login.defs; grep -q '^UMASK.*027' /etc/login.defs"),
    # (Debian 13's login.defs sets no UMASK: the same control by another key both ship)
    Fault("c04-login-defs-pass-max-days", "control", "login.defs PASS_MAX_DAYS 99999 -> 365 (changed in place)",
          "sed -i -E 's/^PASS_MAX_DAYS([[:space:]]+)99999/PASS_MAX_DAYS\\1365/' /etc/login.defs; "
          "grep -q '^PASS_MAX_DAYS.*365' /etc/login.defs"),
    Fault("c02-pam-sshd-comment-edited", "control", "a comment of /etc/pam.d/sshd edited (not as shipped, lines same)",
          "sed -i '1i # managed by ops' /etc/pam.d/sshd"),
    Fault("c03-root-gitconfig-user", "control", "root's ~/.gitconfig with a name and an editor",
          "printf '[user]\\n\\tname = ops\\n[core]\\n\\teditor = vim\\n' > /root/.gitconfig"),
]
