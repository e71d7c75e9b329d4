"""Other members of the classes closed after the blind run (not blind: written after reading the gate's code),
run on containers as the blind faults are: ``BLIND_POOL=members``."""
from deploytests.faults.catalogue import Fault

MEMBERS = (
    Fault("m01-editor-alternative-in-dev-home", "drift/run",
          "the system editor registered with update-alternatives as a neovim build in the 'dev' account's "
          "~/.local: visudo, crontab -e and sudoedit run it as root",
          "useradd -m -s /bin/bash dev; install -d -o dev -g dev /home/dev/.local /home/dev/.local/bin; "
          "cp /usr/bin/more /home/dev/.local/bin/nvim; chown dev:dev /home/dev/.local/bin/nvim; "
          "update-alternatives --install /usr/bin/editor editor /home/dev/.local/bin/nvim 300 >/dev/null; "
          "test \"$(readlink -f /usr/bin/editor)\" = /home/dev/.local/bin/nvim"),
    Fault("m02-systemd-conf-default-environment-ld-preload", "drift/load",
          "/etc/systemd/system.conf given 'DefaultEnvironment=LD_PRELOAD=/opt/apm/lib/libapm.so' (an APM agent's "
          "machine-wide install), the library the 'apm' account's",
          "useradd -r -m -d /var/lib/apm -s /usr/sbin/nologin apm; install -d -o apm -g apm /opt/apm /opt/apm/lib; "
          "mkdir -p /etc/systemd; printf '[Manager]\\nDefaultEnvironment=LD_PRELOAD=/opt/apm/lib/libapm.so\\n' > /etc/systemd/system.conf"),
    Fault("m03-allowed-sudo-env-keep-perl5lib", "security/grant",
          "an allowed '%webops ALL=(root) NOPASSWD: /usr/sbin/a2query -s' and 'Defaults:%webops env_keep += \"PERL5LIB\"' "
          "(a2query is Perl: the caller's modules as root)",
          "groupadd webops; useradd -m -s /bin/bash -G webops oncall; printf 'Defaults:%%webops env_keep += \"PERL5LIB\"\\n"
          "%%webops ALL=(root) NOPASSWD: /usr/sbin/a2query -s\\n' > /etc/sudoers.d/webops; chmod 0440 /etc/sudoers.d/webops; visudo -c >/dev/null"),
    Fault("m04-allowed-sudo-tar-from-var-tmp", "security/grant",
          "an allowed 'backup ALL=(root) NOPASSWD: /usr/bin/tar -xzf /var/tmp/restore.tgz -C /srv/restore' (a restore "
          "job's archive in /var/tmp: whoever makes it first ships a setuid file)",
          "useradd -m -s /bin/bash backup2; mkdir -p /srv/restore; printf 'backup2 ALL=(root) NOPASSWD: /usr/bin/tar -xzf "
          "/var/tmp/restore.tgz -C /srv/restore\\n' > /etc/sudoers.d/backup2; chmod 0440 /etc/sudoers.d/backup2; visudo -c >/dev/null"),
)

KEYS = """allow_sudo = ["Defaults:%webops env_keep += \\"PERL5LIB\\"", "%webops ALL=(root) NOPASSWD: /usr/sbin/a2query -s", "backup2 ALL=(root) NOPASSWD: /usr/bin/tar -xzf /var/tmp/restore.tgz -C /srv/restore"]
"""
