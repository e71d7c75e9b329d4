"""guard11: members of the class "a setting that turns off a root-run program's own guard" (issue 17 item 1),
each injected on a fresh deployed container (docker exec, root), the gate run read-only (run_guards.py).
BENIGN: controls that must pass (a setting that turns off no guard)."""
from deploytests.faults.catalogue import Fault

APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 400 "
       "apt-get install -y -qq --no-install-recommends {pkgs} >/tmp/apt.log 2>&1 "
       "|| {{{{ tail -20 /tmp/apt.log; exit 1; }}}}")
SUDO = "printf '%s\\n' > /etc/sudoers.d/{name} && chmod 0440 /etc/sudoers.d/{name} && visudo -c -q"


def sudo(name, line):
    return SUDO.replace("%s", line).format(name=name)


PLAIN = [
    Fault("g01-git-safe-directory-star", "security/run", "git's ownership check off for every repo",
          APT.format(pkgs="git") + "; git config --system --add safe.directory '*'"),
    Fault("g02-sshd-strictmodes-no", "security/grant", "sshd no longer checks who owns a login's key files",
          "printf 'StrictModes no\\n' >> /etc/ssh/sshd_config"),
    Fault("g03-sudo-no-env-reset", "security/grant", "sudo keeps the caller's whole environment",
          sudo("keep-env", "Defaults !env_reset")),
    Fault("g04-sudo-env-keep-loader", "security/grant", "sudo keeps the caller's PYTHONPATH and LD_LIBRARY_PATH",
          sudo("keep-py", 'Defaults env_keep += "PYTHONPATH LD_LIBRARY_PATH"')),
    Fault("g05-sudo-no-secure-path", "security/grant", "sudo looks commands up on the caller's PATH",
          sudo("no-secure-path", "Defaults !secure_path")),
    Fault("g06-apt-allow-insecure", "security/load", "apt accepts unsigned repositories",
          "printf 'Acquire::AllowInsecureRepositories \"true\";\\nAPT::Get::AllowUnauthenticated \"true\";\\n' "
          "> /etc/apt/apt.conf.d/99insecure"),
    Fault("g07-apt-source-trusted-yes", "security/load", "an apt source whose packages are not signature-checked",
          "printf 'deb [trusted=yes] http://deb.debian.org/debian bookworm-backports main\\n' "
          "> /etc/apt/sources.list.d/backports.list"),
    Fault("g08-pam-permit-su", "security/grant", "su lets anyone in without a password",
          "sed -i '1a auth sufficient pam_permit.so' /etc/pam.d/su"),
    Fault("g09-ssh-client-no-hostkey-check", "security/run", "root's ssh (git, rsync, scp) trusts any host key",
          "printf 'Host *\\n    StrictHostKeyChecking no\\n    UserKnownHostsFile /dev/null\\n' "
          "> /etc/ssh/ssh_config.d/10-lab.conf"),
    Fault("g10-wgetrc-no-cert-check", "security/load", "root's wget downloads over unchecked TLS",
          APT.format(pkgs="wget") + "; printf 'check_certificate = off\\n' >> /etc/wgetrc"),
    Fault("g11-sudoedit-follow", "security/grant", "sudoedit follows links and edits in dirs its user writes",
          sudo("edit", "Defaults sudoedit_follow, !sudoedit_checkdir")),
    Fault("g12-sysctl-protected-symlinks-off", "security/grant", "the kernel's link guard in sticky dirs off",
          "printf 'fs.protected_symlinks = 0\\n' > /etc/sysctl.d/zz-legacy.conf"),
    Fault("g13-environment-git-ssl-no-verify", "security/load", "every login's git skips TLS checks",
          "printf 'GIT_SSL_NO_VERIFY=1\\nPYTHONHTTPSVERIFY=0\\n' >> /etc/environment"),
    Fault("g14-gitconfig-sslverify-false", "security/load", "root's git fetches over unchecked TLS",
          APT.format(pkgs="git") + "; git config --system http.sslVerify false"),
    Fault("g15-sudo-no-use-pty", "security/grant", "sudo's commands share the caller's terminal",
          "sed -i 's/^Defaults\\tuse_pty/#Defaults use_pty/' /etc/sudoers; visudo -c -q"),
    Fault("g16-pip-conf-trusted-host", "security/load", "root's pip trusts any index over plain HTTP",
          "printf '[global]\\ntrusted-host = pypi.internal\\nindex-url = http://pypi.internal/simple\\n' "
          "> /etc/pip.conf"),
    # members tried only after the fix (not in the rule's tests)
    Fault("g17-npmrc-strict-ssl-false", "security/load", "root's npm fetches over unchecked TLS",
          "printf 'strict-ssl=false\\n' > /etc/npmrc"),
    Fault("g18-profile-d-export-no-verify", "security/load", "every login shell's git (root's too) skips TLS checks",
          "printf 'export GIT_SSL_NO_VERIFY=true\\n' > /etc/profile.d/lab-git.sh"),
]
# item 4(a): a key option sshd applies (PermitUserEnvironment) on a key that logs in as root
KEYS = [
    Fault("g19-root-key-environment-bash-env", "security/grant",
          "root's backup key with environment=BASH_ENV naming the tools account's file (PermitUserEnvironment yes)",
          "sed -i 's/^PermitRootLogin no/PermitRootLogin prohibit-password/' /etc/ssh/sshd_config; "
          "echo 'PermitUserEnvironment yes' >> /etc/ssh/sshd_config; useradd -r -M tools; "
          "install -d -o tools -g tools /srv/tools; printf 'true\\n' > /srv/tools/env.sh; "
          "chown tools /srv/tools/env.sh; "
          "install -d -m 700 /root/.ssh; printf 'environment=\"BASH_ENV=/srv/tools/env.sh\" ssh-ed25519 "
          "AAAAC3NzaC1lZDI1NTE5AAAAIK+AJT/fzaWeDk5qAV7wJ6t9if/+Czl9vC0RktiWn3Gm backup@nas\\n' "
          "> /root/.ssh/authorized_keys; chmod 600 /root/.ssh/authorized_keys; /usr/sbin/sshd -t; "
          "kill -HUP $(pgrep -o -x sshd)"),
]
BENIGN = [
    Fault("c01-sudo-no-requiretty", "control", "Defaults !requiretty (turns off no guard)",
          sudo("tty", "Defaults !requiretty")),
    Fault("c04-sudo-scoped-defaults-as-built", "control", "Defaults:appuser !requiretty, !visiblepw (sudo's own)",
          sudo("cm", "Defaults:appuser !requiretty, !visiblepw")),
    Fault("c03-ssh-client-accept-new", "control", "StrictHostKeyChecking accept-new (first-use keys, checked after)",
          "printf 'Host *\\n    StrictHostKeyChecking accept-new\\n' > /etc/ssh/ssh_config.d/10-tofu.conf"),
    Fault("c02-git-system-user-name", "control", "an /etc/gitconfig with a user name and an editor",
          APT.format(pkgs="git") + "; git config --system user.name ops; git config --system core.editor vim"),
]
