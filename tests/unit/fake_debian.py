"""A Debian server with Apache in a temp dir, for the root agent's unit tests: the agent runs every bootstrap
step against it as the current user, through an ``agent_root.SYSTEM`` made of
``deploytests.testing``'s fakes (commands, accounts, owners).

The tree is what a Debian 12 server with ``apache2`` installed has where the agent looks (``/etc/sudoers.d``,
``/etc/apache2/...``, ``/var/www``, ``/var/lib/dpkg``), and its commands (``apt-get``,
``useradd``, ``usermod``, ``gpasswd``, ``visudo``, ``a2en*``/``a2dis*``, ``apache2ctl``, ``python -m venv``,
``rm``) change that tree and the accounts the way the real ones do, as far as the agent reads them back. What
Apache, sudo or apt really do is proven on real containers (tests/integration), not here.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

from deploytests.pipeline import agent_root as ar
from deploytests.testing import FakeAccounts, FakeOwners, FakeRunner, bootstrap_args

DEPLOYER_UID = 1001
# What ``visudo -c`` accepts in the files bootstrap writes: comments and ``user ALL=(runas) NOPASSWD: command``.
SUDOERS_LINE = re.compile(r"^(#.*|[a-z_][a-z0-9_-]* ALL=\([a-z_][a-z0-9_-]*\) NOPASSWD: /\S+( \S+)*)$")
AH00558 = ("AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using "
           "127.0.1.1. Set the 'ServerName' directive globally to suppress this message\nSyntax OK")


class FakeDebian:
    """The server under ``root`` (a temp dir): ``system`` is what the agent is given; ``accounts``, ``owners``
    and ``runner`` are there to look at and to change (a failing command, a planted account).

    ``installed``: the packages dpkg knows; ``apache_running``: whether the pid file names a live process."""

    def __init__(self, root: Path):
        self.root = root
        self.accounts, self.owners, self.runner = FakeAccounts(), FakeOwners(), FakeRunner()
        self.accounts.add_user("www-data", 33, home="/var/www")
        self.accounts.add_user("deployer", DEPLOYER_UID, home="/home/deployer", shell="/bin/bash")
        self.accounts.add_user("admin", 1000, home="/home/admin", shell="/bin/bash")  # the login with sudo
        self.accounts.add_user("nobody", 65534, home="/nonexistent", shell="/usr/sbin/nologin")
        self.installed = {"apache2", "python3-venv"}
        self.system = SimpleNamespace(root=str(root), passwd=self.accounts, group=self.accounts, run=self.runner,
                                      fchown=self.owners.fchown, owner=self.owners.owner)
        for d in ("etc/sudoers.d", "etc/apache2/sites-available", "etc/apache2/sites-enabled",
                  "etc/apache2/mods-available", "etc/apache2/mods-enabled", "etc/apache2/conf-available",
                  "etc/apache2/conf-enabled", "var/www/html", "var/lib/dpkg", "var/run/apache2", "root"):
            (root / d).mkdir(parents=True, exist_ok=True)
        (root / "etc/sudoers.d").chmod(0o750)
        (root / "var/lib/dpkg/lock-frontend").touch()
        (root / "etc/apache2/mods-available/wsgi.load").write_text("LoadModule wsgi_module mod_wsgi.so\n")
        (root / "etc/apache2/sites-available/000-default.conf").write_text("<VirtualHost *:80>\n</VirtualHost>\n")
        self.link("etc/apache2/sites-enabled/000-default.conf", "../sites-available/000-default.conf")
        self.next_system_uid = 999  # useradd --system counts down from SYS_UID_MAX
        self.visudo_saw: list[str] = []
        for program, handler in {"apt-get": self._apt_get, "useradd": self._useradd,
                                 "usermod": self._usermod, "gpasswd": self._gpasswd, "visudo": self._visudo,
                                 "a2enmod": self._a2enmod, "a2ensite": self._a2ensite, "a2dissite": self._a2dissite,
                                 "a2enconf": self._a2enconf, "apache2ctl": self._apache2ctl, "rm": self._rm,
                                 os.path.basename(sys.executable): self._venv}.items():
            self.runner.on(program, handler)

    # -- looking at it

    def path(self, server_path: str) -> Path:
        """The file of the server's ``server_path``."""
        return Path(str(self.root) + server_path)

    def link(self, server_path: str, target: str) -> None:
        os.symlink(target, self.root / server_path.lstrip("/"))

    def owner(self, server_path: str) -> str:
        """``user:group`` of the file (not following a link), by name."""
        uid, gid = self.owners.of(self.path(server_path))
        return "%s:%s" % (self.accounts.getpwuid(uid).pw_name, self.accounts.getgrgid(gid).gr_name)

    def mode(self, server_path: str) -> str:
        return oct(os.lstat(self.path(server_path)).st_mode & 0o7777)

    def files(self, server_dir: str) -> list[str]:
        return sorted(p.name for p in self.path(server_dir).iterdir())

    def args(self, **overrides):
        """Bootstrap arguments for app ``app`` (tree /var/www/app, deploy user ``deployer``, a vhost for
        app.test; the packages the runner's look finds missing, as ``provision.missing_packages``), any field
        overridden."""
        wanted = ("apache2", "libapache2-mod-wsgi-py3")
        fields = dict(deploy_user="deployer", packages=" ".join(p for p in wanted if p not in self.installed),
                      vhost="<VirtualHost *:80>\n    ServerName app.test\n</VirtualHost>\n")
        fields.update(overrides)
        return bootstrap_args(**fields)

    # -- its commands (each: the argument list as given; an exit code or (code, output))

    def _apt_get(self, cmd, **kw):
        if "install" in cmd:
            self.installed.update(cmd[cmd.index("--no-install-recommends") + 1:])
        return 0

    def _useradd(self, cmd, **kw):
        assert "--system" in cmd and "--user-group" in cmd, cmd
        uid, self.next_system_uid = self.next_system_uid, self.next_system_uid - 1
        self.accounts.add_user(cmd[-1], uid, gecos=cmd[cmd.index("--comment") + 1],
                               home=cmd[cmd.index("--home-dir") + 1], shell=cmd[cmd.index("--shell") + 1])

    def _usermod(self, cmd, **kw):
        assert cmd[1] == "-aG", cmd
        self.accounts.join(cmd[3], cmd[2])

    def _gpasswd(self, cmd, **kw):
        assert cmd[1] == "-d", cmd
        self.accounts.leave(cmd[2], cmd[3])

    def _visudo(self, cmd, **kw):
        assert cmd[1] == "-cqf" and cmd[2].startswith(str(self.root) + "/etc/sudoers.d/."), cmd
        text = Path(cmd[2]).read_text()
        self.visudo_saw.append(text)
        for n, line in enumerate(text.splitlines(), 1):
            if not SUDOERS_LINE.match(line):
                return 1, "%s:%d:%d: syntax error\n%s" % (cmd[2], n, 1, line)
        return 0

    def _a2enmod(self, cmd, **kw):
        self.link("etc/apache2/mods-enabled/%s.load" % cmd[-1], "../mods-available/%s.load" % cmd[-1])

    def _a2ensite(self, cmd, **kw):
        self.link("etc/apache2/sites-enabled/%s.conf" % cmd[-1], "../sites-available/%s.conf" % cmd[-1])

    def _a2dissite(self, cmd, **kw):
        enabled = self.path("/etc/apache2/sites-enabled/%s.conf" % cmd[-1])
        if not os.path.lexists(enabled):
            return 1, "ERROR: Site %s does not exist!" % cmd[-1]
        enabled.unlink()

    def _a2enconf(self, cmd, **kw):
        self.link("etc/apache2/conf-enabled/%s.conf" % cmd[-1], "../conf-available/%s.conf" % cmd[-1])

    def _apache2ctl(self, cmd, **kw):
        if cmd[1] == "configtest":
            for site in self.path("/etc/apache2/sites-enabled").iterdir():
                for n, line in enumerate(site.read_text().splitlines(), 1):
                    if line.startswith("Broken"):
                        return 1, ("AH00526: Syntax error on line %d of /etc/apache2/sites-enabled/%s:\nInvalid "
                                   "command 'Broken', perhaps misspelled\nAction 'configtest' failed." % (n, site.name))
            if not self.path("/etc/apache2/conf-enabled/%s.conf" % ar.SERVERNAME).exists():
                return 0, AH00558
            return 0, "Syntax OK"
        if cmd[1] == "start":
            self.path("/var/run/apache2/apache2.pid").write_text("%d\n" % os.getpid())  # a live process
        return 0

    def _venv(self, cmd, **kw):
        assert cmd[1:6] == ["-I", "-S", "-m", "venv", "--without-pip"] and cmd[6] == str(self.path(ar.PYTHON_HOME)), cmd
        os.mkdir(cmd[6])
        Path(cmd[6], "pyvenv.cfg").write_text("home = /usr/bin\n")

    def _rm(self, cmd, **kw):
        assert cmd[1:3] == ["-rf", "--one-file-system"] and cmd[3].startswith(str(self.root) + "/"), cmd
        shutil.rmtree(cmd[3])
