"""What a server stack is: one platform's facts as data (:class:`Stack`), and how a server names its OS.

A stack is everything the runner, the root agent and the checks must know about one kind of server: the OS
release it matches, the packages bootstrap installs, where Apache keeps its sites, modules, pid file and logs,
the vhost text, how the app's mod_wsgi daemons show up in ``ps``, the Python that serves the app (which pack
builds for), and the container images that stand for it (:class:`ImageSpec`: a Dockerfile shared per role,
built FROM the stack's base). Code reads these fields; it never asks "which OS is
this?". Stacks are found through :mod:`deploytests.stacks` (the registry).
"""

from __future__ import annotations

import importlib
import shlex
from dataclasses import dataclass, field
from types import ModuleType

from .apache_wsgi import ApacheLayout  # the one kind of stack so far: Stack.apache is its layout (see Stack.kind)

DEBIAN_MIRROR = "http://deb.debian.org/debian"


@dataclass(frozen=True)
class ImageSpec:
    """One container image a stack stands for: its name, which Dockerfile builds it, FROM which base.

    ``dockerfiles/<dockerfile>/Dockerfile`` is shared by every stack whose image plays that role; the platform is
    the ``BASE`` build arg. The base is pulled when it is missing, else made with ``debootstrap <suite>`` from
    ``mirror``. :mod:`deploytests.containers.images` tags it by a hash of the folder, ``common/`` and
    :meth:`build_args`.
    """

    name: str                 # deploytests/<name>
    dockerfile: str           # the folder under dockerfiles/
    base: str                 # the BASE build arg
    suite: str                # debootstrap's suite for the base
    mirror: str = DEBIAN_MIRROR
    args: tuple[tuple[str, str], ...] = ()  # further build args

    def build_args(self) -> dict[str, str]:
        """Every build arg the Dockerfile gets (``BASE`` included; it wins over a same-named extra)."""
        return {**dict(self.args), "BASE": self.base}


@dataclass(frozen=True)
class Stack:
    """One server platform. See the module docstring; every field is data some code path or check reads."""

    name: str                 # registry key, e.g. "debian12-apache-wsgi"
    # what follows ``kind`` is data; the stack's behaviour (what bootstrap sends, its logs) is the kind's package
    platform: str             # the --platform word for containers, e.g. "debian12"
    title: str                # for messages: "Debian 12 (bookworm)"
    os_id: str                # /etc/os-release ID
    version_id: str           # /etc/os-release VERSION_ID
    codename: str             # /etc/os-release VERSION_CODENAME (testing releases carry no VERSION_ID)
    python_version: str       # python3's X.Y on that platform: what pack builds for, what mod_wsgi embeds
    python: str               # that python's fixed, root-owned path: the only interpreter bootstrap runs as root
    mod_wsgi_major: str       # the major version of the distribution's mod_wsgi
    packages: tuple[str, ...]  # what bootstrap installs (when missing)
    vhost_template: str       # str.format template of the site file (see deploytests.pipeline.templates)
    image: str                # the ready server's image name, deploytests/<image> (unique across stacks)
    bare_image: str           # the fresh server's image name (for bootstrap to provision)
    base_image: str           # the image both are built FROM (the BASE build arg), e.g. debian:trixie-slim
    base_suite: str           # how base_image is made when it cannot be pulled: debootstrap's suite, e.g. trixie
    base_mirror: str = DEBIAN_MIRROR     # ... from this archive
    image_dockerfile: str = "apache-wsgi"  # dockerfiles/<this>/Dockerfile builds the ready server
    bare_dockerfile: str = "bare"          # dockerfiles/<this>/Dockerfile builds the fresh one
    build_args: tuple[tuple[str, str], ...] = ()  # further build args for both (BASE is base_image)
    apache: ApacheLayout = field(default_factory=ApacheLayout)
    wsgi_module: str = "wsgi"            # a2enmod name; loaded as "<wsgi_module>_module"
    wsgi_module_file: str = "/usr/lib/apache2/modules/mod_wsgi.so"
    daemon_display: str = "(wsgi:{app})"  # display-name=%{GROUP} in the vhost: how ps shows the app's daemons
    nologin_shells: tuple[str, ...] = ("/usr/sbin/nologin", "/bin/false", "/sbin/nologin")
    ssh_service: str = "ssh"  # the SSH server's unit and init script (every deploy, rollback and gate run uses it)
    ssh_off_flag: str = "/etc/ssh/sshd_not_to_be_run"  # while it exists, neither the unit nor the init script starts it
    sshd_keywords: tuple[str, ...] = ()  # every keyword the stack's sshd takes (lower case); () when not measured
    configtest_ok: str = "Syntax OK"
    # the closed-world gate's baseline: what a stock server of this stack has (deploytests.verify.promises)
    baseline_includes: tuple[str, ...] = ()  # files Apache includes ({app}: the app's name)
    baseline_modules: tuple[str, ...] = ()   # modules Apache loads
    baseline_sudoers: tuple[str, ...] = ()   # rule lines of the distribution's /etc/sudoers
    baseline_privileged: tuple[str, ...] = ()  # "path MODE owner:group[ caps]" of the packages' privileged files
    # executables of the packaged daemons a stock server of this stack runs as root on loopback (the MTA): any
    # other socket root holds answers every local process as root, so it is accounted for in writing
    baseline_root_listeners: tuple[str, ...] = ()
    # executables of the packaged daemons the stack's own packages start as Apache's user (Debian's htcacheclean,
    # which apache2's init script and unit run as www-data): any other process of that user is not Apache's
    baseline_www_daemons: tuple[str, ...] = ()
    # "EXECUTABLE NAME" of each UNIX socket a stock server of this stack has root's processes hold and others may
    # connect to (systemd's, journald's, the MTA's; measured on Debian 12 and 13 with systemd): any other root
    # socket a less trusted user reaches runs what it accepts as root (deploytests.verify.sockets)
    baseline_root_unix: tuple[str, ...] = ()
    # the stock modules that guard the server, each (module, its directive, a regex of that directive's values that
    # switch it off, what an attacker gets without it): gone or switched off is a finding (sec_guards)
    baseline_guards: tuple[tuple[str, str, str, str], ...] = ()
    # the lines that set something of each conffile as Debian ships it (a file of the kind's package, by dpkg's md5):
    # one such line gone from the server's file is a finding (deploytests.verify.promises.stock_lines_gone)
    baseline_conffiles: str = ""
    # "TYPE MODULE [ARGS]" of each line pam-auth-update writes into /etc/pam.d/common-* from Debian's own templates
    # and the profiles of the ordinary packages that ship one (not conffiles: their lines are no dpkg record); with
    # the baseline's conffiles of /etc/pam.d, what sshd's and sudo's stacks may hold (promises.pam_not_stock)
    baseline_pam: tuple[str, ...] = ()
    # packages whose files the gate compares with dpkg's md5sums (fnmatch patterns, {py}: python_version): what
    # Apache, mod_wsgi, the stack's Python, sudo, sshd and PAM load or run
    verified_packages: tuple[str, ...] = ()
    kind: str = "apache_wsgi"  # the package of deploytests.stacks with this kind's behaviour (bootstrap, logs)

    def behaviour(self, part: str) -> ModuleType:
        """The module ``part`` (``bootstrap``, ``logs``) of this stack's kind: ``deploytests.stacks.<kind>.<part>``."""
        return importlib.import_module(f"{__package__}.{self.kind}.{part}")

    def images(self) -> tuple[ImageSpec, ImageSpec]:
        """The stack's container images: the ready server and the bare one, each with all its inputs."""
        return self._image(self.image, self.image_dockerfile), self._image(self.bare_image, self.bare_dockerfile)

    def _image(self, name: str, dockerfile: str) -> ImageSpec:
        return ImageSpec(name=name, dockerfile=dockerfile, base=self.base_image, suite=self.base_suite,
                         mirror=self.base_mirror, args=self.build_args)

    def matches(self, release: dict[str, str]) -> bool:
        """True when an os-release mapping names this platform (by VERSION_ID, or codename without one)."""
        if release.get("ID") != self.os_id:
            return False
        if release.get("VERSION_ID"):
            return release["VERSION_ID"] == self.version_id
        return release.get("VERSION_CODENAME") == self.codename

    def is_daemon_of(self, argv0: str, app: str) -> bool:
        """Whether a process whose first ``ps`` word is ``argv0`` is one of ``app``'s mod_wsgi daemons."""
        return is_daemon_of(argv0, app, self.daemon_display)


def is_daemon_of(argv0: str, app: str, display: str) -> bool:
    """Whether ``argv0`` is one of ``app``'s mod_wsgi daemons as ``ps`` shows them (the stack's ``display``).

    The kernel keeps the display name within the length of Apache's argv[0], so ``(wsgi:yourapplication)``
    shows as ``(wsgi:yourapplica``: the fixed part and a non-empty prefix of the app name match."""
    fixed, _, tail = display.partition("{app}")
    shown = argv0[len(fixed):]
    if tail and shown.endswith(tail):
        shown = shown[:-len(tail)]
    return argv0.startswith(fixed) and bool(shown) and app.startswith(shown)


OS_RELEASE = "/etc/os-release"
OS_RELEASE_FALLBACK = "/usr/lib/os-release"


def parse_os_release(text: str) -> dict[str, str]:
    """``KEY=value`` lines of os-release(5) as a dict (shell quoting removed, comments and junk skipped)."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        if not key.replace("_", "").isalnum():
            continue
        try:
            words = shlex.split(raw)
        except ValueError:
            continue
        values[key] = words[0] if words else ""
    return values


def describe_release(release: dict[str, str]) -> str:
    """How a server's OS is named in messages: PRETTY_NAME plus the keys that decide."""
    pretty = release.get("PRETTY_NAME") or release.get("NAME") or "an OS without /etc/os-release"
    keys = " ".join(f"{k}={release[k]}" for k in ("ID", "VERSION_ID", "VERSION_CODENAME") if release.get(k))
    return f"{pretty} ({keys})" if keys else pretty
