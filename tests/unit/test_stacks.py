"""Server stacks: os-release parsing, stack selection and refusal, platforms, and everything that reads a stack
(bootstrap args, vhost, daemons, fleets of mixed platforms, one artifact per Python). Pure: no Docker, no SSH."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploytests import stacks
from deploytests.config import load_config
from deploytests.containers.driver import Fleet
from deploytests.errors import ConfigError, DeployTestsError
from deploytests.pipeline import bytecode, provision, templates
from deploytests.pipeline.fleet import Bootstrapped, artifact_for
from deploytests.settings import Settings, resolve
from deploytests.targets.docker import DockerProvider
from deploytests.verify import wsgi_daemons

APPS = Path(__file__).resolve().parents[2] / "deploytests" / "examples" / "apps"
CFG = load_config(APPS / "yourapplication")

BOOKWORM = '''PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
'''
TRIXIE = '''PRETTY_NAME="Debian GNU/Linux 13 (trixie)"
NAME="Debian GNU/Linux"
VERSION_ID="13"
VERSION="13 (trixie)"
VERSION_CODENAME=trixie
DEBIAN_VERSION_FULL=13.2
ID=debian
'''
TRIXIE_TESTING = ('PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=trixie\n'
                  'ID=debian\n')
BULLSEYE = 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\nID=debian\n'
UBUNTU = ('PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n'
          'ID=ubuntu\nID_LIKE=debian\n')


# ---------------------------------------------------------------- os-release and selection

def test_os_release_is_parsed_with_shell_quoting_comments_and_junk_skipped():
    text = "# comment\n\nID=debian\nNAME='Debian GNU/Linux'\nVERSION_ID=\"13\"\nbroken line\nBAD KEY=1\nX=\"unclosed\n"
    assert stacks.parse_os_release(text) == {"ID": "debian", "NAME": "Debian GNU/Linux", "VERSION_ID": "13"}


@pytest.mark.parametrize("text, name", [(BOOKWORM, "debian12-apache-wsgi"), (TRIXIE, "debian13-apache-wsgi"),
                                        (TRIXIE_TESTING, "debian13-apache-wsgi")])
def test_the_servers_os_release_picks_its_stack(text, name):
    assert stacks.for_os_release(text).name == name


@pytest.mark.parametrize("text, shown", [
    (BULLSEYE, "Debian GNU/Linux 11 (bullseye) (ID=debian VERSION_ID=11 VERSION_CODENAME=bullseye)"),
    (UBUNTU, "Ubuntu 24.04.1 LTS (ID=ubuntu VERSION_ID=24.04 VERSION_CODENAME=noble)"),
    ("", "an OS without /etc/os-release"),
])
def test_an_unknown_os_is_refused_in_one_line_naming_the_supported_ones(text, shown):
    with pytest.raises(stacks.UnsupportedServer) as info:
        stacks.for_os_release(text, where="ssh://deployer@web1:22")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"ssh://deployer@web1:22: unsupported server OS {shown}; deploytests supports ")
    assert "debian12-apache-wsgi (Debian 12 (bookworm)), debian13-apache-wsgi (Debian 13 (trixie))" in message


def test_detect_reads_os_release_over_the_connection_once():
    calls = []
    c = SimpleNamespace(label="docker://web-1", run=lambda cmd, **kw: calls.append(cmd) or SimpleNamespace(
        ok=True, stdout=TRIXIE))
    assert stacks.detect(c, c.label).name == "debian13-apache-wsgi"
    assert calls == ["cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release"]


def test_bootstrap_refuses_an_unsupported_server_before_running_anything_as_root(monkeypatch):
    monkeypatch.setattr(provision, "call_agent", lambda *a, **kw: pytest.fail("the agent ran"))
    c = SimpleNamespace(label="ssh://appuser@old:22", user="appuser",
                        run=lambda cmd, **kw: SimpleNamespace(ok=True, stdout=BULLSEYE))
    with pytest.raises(stacks.UnsupportedServer, match=r"^ssh://appuser@old:22: unsupported server OS Debian"):
        provision.bootstrap(c, CFG)


def test_registry_lists_the_valid_names_for_an_unknown_one():
    assert list(stacks.STACKS) == ["debian12-apache-wsgi", "debian13-apache-wsgi"]
    assert stacks.DEFAULT is stacks.get("debian12-apache-wsgi")
    with pytest.raises(ConfigError, match="unknown server stack 'rhel9'; known: debian12-apache-wsgi, "
                                          "debian13-apache-wsgi"):
        stacks.get("rhel9")
    with pytest.raises(ConfigError, match="unknown platform 'debian11'; choose from debian12, debian13"):
        stacks.for_platform("debian11")


def test_stacks_differ_in_data_only():
    d12, d13 = stacks.get("debian12-apache-wsgi"), stacks.get("debian13-apache-wsgi")
    assert (d12.python_version, d13.python_version) == ("3.11", "3.13")
    assert (d12.mod_wsgi_major, d13.mod_wsgi_major) == ("4", "5")
    assert (d12.base_image, d13.base_image) == ("debian:bookworm-slim", "debian:trixie-slim")
    assert (d13.image, d13.bare_image) == ("debian13-apache-wsgi", "debian13-bare")
    assert (d12.base_suite, d13.base_suite) == ("bookworm", "trixie")
    # one Dockerfile per role: the platforms differ only in the BASE build arg
    assert [s.dockerfile for s in d12.images()] == [s.dockerfile for s in d13.images()] == ["apache-wsgi", "bare"]
    assert [s.build_args() for s in d13.images()] == [{"BASE": "debian:trixie-slim"}] * 2


def test_the_registry_is_every_module_that_defines_a_stack():
    assert stacks.discover() == stacks.STACKS


UBUNTU = """PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
"""

THIRD_STACK = """
from deploytests.stacks.apache_wsgi import PACKAGES, VHOST
from deploytests.stacks.base import Stack

STACK = Stack(
    name="ubuntu2404-apache-wsgi", platform="ubuntu2404", title="Ubuntu 24.04 (noble)",
    os_id="ubuntu", version_id="24.04", codename="noble", python_version="3.12", python="/usr/bin/python3.12",
    mod_wsgi_major="5",
    packages=PACKAGES, vhost_template=VHOST,
    image="ubuntu2404-apache-wsgi", bare_image="ubuntu2404-bare", base_image="ubuntu:noble", base_suite="noble",
    base_mirror="http://archive.ubuntu.com/ubuntu",
)
"""


def _package(root: Path, name: str, modules: dict[str, str]) -> str:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    for module, text in modules.items():
        (root / name / f"{module}.py").write_text(text)
    return name


def test_a_third_stack_is_one_module(tmp_path, monkeypatch):
    """A Debian-family platform whose images differ only in their base: its stack module alone registers it, and
    everything downstream (OS detection, --platform, the docker target, the images and their tags) follows."""
    from deploytests.containers import images

    monkeypatch.syspath_prepend(str(tmp_path))
    found = stacks.discover(_package(tmp_path, "third_party_stacks", {"ubuntu2404_apache_wsgi": THIRD_STACK,
                                                                      "helpers": "NOT_A_STACK = 1\n"}))
    assert list(found) == ["ubuntu2404-apache-wsgi"]
    before = {name: images.image_tag(name) for name in images.image_specs()}
    monkeypatch.setitem(stacks.STACKS, "ubuntu2404-apache-wsgi", found["ubuntu2404-apache-wsgi"])

    assert stacks.for_os_release(UBUNTU).name == "ubuntu2404-apache-wsgi"
    assert _resolve(DEPLOYTESTS_PLATFORM="ubuntu2404").platform == ("ubuntu2404",)
    provider = DockerProvider(SimpleNamespace(name="docker", where="built-in", config_file=None),
                              SimpleNamespace(containers=1, keep_containers=False, platform=("ubuntu2404",)))
    assert provider.mix() == [("ubuntu2404-apache-wsgi", "ubuntu:noble")]
    specs = images.image_specs()
    assert list(specs)[-2:] == ["ubuntu2404-apache-wsgi", "ubuntu2404-bare"]
    new = specs["ubuntu2404-bare"]
    assert (new.dockerfile, new.build_args(), new.suite, new.mirror) == (
        "bare", {"BASE": "ubuntu:noble"}, "noble", "http://archive.ubuntu.com/ubuntu")
    tags = {name: images.image_tag(name) for name in specs}  # the shared Dockerfiles exist: no new folder needed
    assert tags["ubuntu2404-apache-wsgi"].startswith("deploytests/ubuntu2404-apache-wsgi:")
    assert {k: v for k, v in tags.items() if k in before} == before  # the other images keep their tags
    assert len({t.split(":")[1] for t in tags.values()}) == len(tags) == 6


def test_two_stack_modules_with_one_platform_word_are_refused(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    twin = THIRD_STACK.replace('name="ubuntu2404-apache-wsgi"', 'name="ubuntu2404-nginx"').replace(
        'image="ubuntu2404-apache-wsgi", bare_image="ubuntu2404-bare"', 'image="u-a", bare_image="u-b"')
    package = _package(tmp_path, "twin_stacks", {"a_ubuntu": THIRD_STACK, "b_ubuntu": twin})
    with pytest.raises(DeployTestsError, match=r"stack module twin_stacks.b_ubuntu repeats the platform of stack "
                                               r"ubuntu2404-apache-wsgi"):
        stacks.discover(package)


# ---------------------------------------------------------------- what reads the stack

def test_bootstrap_args_and_vhost_come_from_the_stack():
    custom = stacks.Stack(**{**vars(stacks.DEFAULT), "name": "x", "packages": ("httpd",),
                             "vhost_template": "site {app} on {port} as {app_user}\n",
                             "apache": stacks.ApacheLayout(sites_available="/etc/httpd/sites",
                                                           apachectl="/usr/sbin/apachectl")})
    args = provision.bootstrap_args(CFG, custom, deploy_user="deployer")
    assert args["packages"] == "httpd" and "stack" not in args
    assert args["vhost"] == "site yourapplication on 80 as yourapplication\n"
    assert "apache" not in args  # Apache's paths are root's constants, every supported stack's (test_agent_root)
    assert templates.vhost(CFG) == templates.vhost(CFG, stack=stacks.get("debian13-apache-wsgi"))


def test_apache_layout_paths():
    a = stacks.DEFAULT.apache
    assert a.site_file("app") == "/etc/apache2/sites-available/app.conf"
    assert a.error_log == "/var/log/apache2/error.log"


@pytest.mark.parametrize("argv0, app, ok", [
    ("(wsgi:yourapplication)", "yourapplication", True),
    ("(wsgi:yourapplica", "yourapplication", True),      # truncated by the kernel
    ("(wsgi:other)", "yourapplication", False),
    ("(wsgi:", "yourapplication", False),
    ("(wsgi:)", "yourapplication", False),
    ("/usr/sbin/apache2", "yourapplication", False),
])
def test_daemon_identification(argv0, app, ok):
    assert stacks.DEFAULT.is_daemon_of(argv0, app) is ok


def test_wsgi_daemons_use_the_stacks_display_name():
    other = stacks.Stack(**{**vars(stacks.DEFAULT), "daemon_display": "wsgi-{app}"})
    ps = "USER PID COMMAND\nroot 1 /usr/sbin/apache2 -k start\napp 7 (wsgi:app) -k start\napp 8 wsgi-app\n"
    host = SimpleNamespace(check_output=lambda cmd: ps)
    assert wsgi_daemons(host, "app") == [("app", 7)] and wsgi_daemons(host, "app", other) == [("app", 8)]


# ---------------------------------------------------------------- platforms: setting, provider, fleet

def _resolve(**env):
    return resolve(cli={}, env=env, ini={}, cwd=Path("."), ini_dir=Path("."))


def test_platform_setting_default_env_and_mixed():
    assert Settings().platform == ("debian12",) and _resolve().platform == ("debian12",)
    assert _resolve(DEPLOYTESTS_PLATFORM="debian13").platform == ("debian13",)
    assert _resolve(DEPLOYTESTS_PLATFORM=" debian13 , debian12,debian13").platform == ("debian13", "debian12")
    cli = resolve(cli={"platform": "debian13"}, env={"DEPLOYTESTS_PLATFORM": "debian12"},
                  ini={"deploytests_platform": "debian12"}, cwd=Path("."), ini_dir=Path("."))
    assert cli.platform == ("debian13",) and cli.source_of("platform") == "command line"


@pytest.mark.parametrize("value", ["debian11", "debian12,", "", "ubuntu24"])
def test_bad_platform_names_its_source_and_the_choices(value):
    with pytest.raises(ConfigError) as info:
        resolve(cli={}, env={}, ini={"deploytests_platform": value or " "}, cwd=Path("."), ini_dir=Path("."))
    message = str(info.value)
    assert "(from deploytests_platform ini key): unknown platform" in message
    assert "choose from debian12, debian13 (comma-separated for a mixed fleet)" in message


def test_docker_provider_takes_the_platforms_in_turn(monkeypatch):
    monkeypatch.setattr("deploytests.containers.images.image_tag", lambda image, base: f"deploytests/{image}:h")
    spec = SimpleNamespace(name="docker", where="built-in", config_file=None)
    one = DockerProvider(spec, SimpleNamespace(containers=2, keep_containers=False, platform=("debian13",)))
    assert one.mix() == [("debian13-apache-wsgi", "debian:trixie-slim")]
    assert one.describe() == "2 containers of deploytests/debian13-apache-wsgi:h"
    mixed = DockerProvider(spec, SimpleNamespace(containers=3, keep_containers=False,
                                                 platform=("debian12", "debian13")))
    assert mixed.labels() == ["docker://web-1", "docker://web-2", "docker://web-3"]
    assert mixed.describe() == ("3 containers of deploytests/debian-apache-wsgi:h (debian12), "
                                "deploytests/debian13-apache-wsgi:h (debian13), in turn")
    fleet = Fleet(count=3, mix=mixed.mix())
    assert [fleet.image_of(f"web-{i}") for i in (1, 2, 3)] == ["debian-apache-wsgi", "debian13-apache-wsgi",
                                                               "debian-apache-wsgi"]
    assert Fleet(count=1, image="debian13-bare").image_of("lab-1") == "debian13-bare"


# ---------------------------------------------------------------- one artifact per server Python

def test_a_mixed_fleet_packs_once_per_python_and_each_host_gets_its_own():
    boot = Bootstrapped(python_version="3.11", pythons={"a": "3.11", "b": "3.13", "c": "3.11"})
    assert boot.python_versions() == ["3.11", "3.13"]
    assert Bootstrapped(python_version="3.13").python_versions() == ["3.13"]
    arts = {"3.11": "art311", "3.13": "art313"}
    assert [artifact_for(h, "fallback", arts, boot) for h in "abc"] == ["art311", "art313", "art311"]
    assert artifact_for("a", "fallback", None, None) == "fallback"


@pytest.fixture
def fresh_lookup(monkeypatch, tmp_path):
    bytecode.interpreter_for.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    (tmp_path / "bin").mkdir()
    yield tmp_path
    bytecode.interpreter_for.cache_clear()


def fake_python(path: Path, version: str, ok: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = f'echo "{version} {path}"' if ok else 'echo "pyenv: python3.13: command not found" >&2; exit 127'
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_interpreter_for_the_servers_python(fresh_lookup):
    tmp = fresh_lookup
    assert bytecode.interpreter_for(f"{sys.version_info.major}.{sys.version_info.minor}") == sys.executable
    assert bytecode.interpreter_for("3.13") is None  # none anywhere: the server installs the wheels itself
    bytecode.interpreter_for.cache_clear()
    fake_python(tmp / "bin" / "python3.13", "3.13", ok=False)  # a pyenv shim of a version not selected
    old = fake_python(tmp / "pyenv" / "versions" / "3.13.0" / "bin" / "python3.13", "3.13")
    new = fake_python(tmp / "pyenv" / "versions" / "3.13.10" / "bin" / "python3.13", "3.13")
    fake_python(tmp / "pyenv" / "versions" / "3.12.1" / "bin" / "python3.13", "3.12")
    assert bytecode.interpreter_for("3.13") == str(new) and old.exists()
    bytecode.interpreter_for.cache_clear()
    on_path = fake_python(tmp / "bin" / "python3.13", "3.13")
    assert bytecode.interpreter_for("3.13") == str(on_path)
    bytecode.interpreter_for.cache_clear()
    fake_python(tmp / "bin" / "python3.13", "3.12")  # lies about its name: not used
    os.remove(new)
    os.remove(old)
    assert bytecode.interpreter_for("3.13") is None


def test_host_timeout_bounds_the_containers_coming_up(monkeypatch):
    """Seen as a user on a loaded runner (load average 61 on 2 cores): `timed out after 30s ... waiting for the SSH
    banner`, and `--host-timeout 120` ("seconds a host may answer nothing") changed nothing: the containers' wait
    was a fixed 30 s. Class: a bound the documented option does not reach. Other member: the default (no option):
    still 30 s."""
    from deploytests import containers

    made = []

    class Fleet:
        def __init__(self, **kwargs):
            made.append(kwargs)
            self.servers, self.times = [], {}

        def __enter__(self):
            return self

    monkeypatch.setattr(containers, "Fleet", Fleet)
    spec = SimpleNamespace(name="docker", where="built-in", config_file=None)
    for given, expected in ((120.0, 120.0), (None, 30.0)):
        settings = SimpleNamespace(containers=2, keep_containers=False, platform=("debian12",), host_timeout=given)
        DockerProvider(spec, settings).open()
        assert made[-1]["ready_timeout"] == expected, made[-1]
