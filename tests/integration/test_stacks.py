"""Server stacks against real containers: a plain Debian 13 server bootstrapped and deployed both ways a
Python-3.13 artifact can be packed on a Python-3.11 runner, and an OS no stack knows refused before anything
runs as root.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from deploytests import pipeline, stacks
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.pipeline import artifact as packmod

pytestmark = pytest.mark.integration

APPS = Path(__file__).resolve().parents[2] / "deploytests" / "examples" / "apps"
TRIXIE = stacks.get("debian13-apache-wsgi")


def config(name: str = "yourapplication"):
    return replace(load_config(APPS / name), deploy_user="deployer")


@pytest.fixture(scope="module")
def trixie():
    """A fresh Debian 13 server (sshd, sudo, python3 only), as a team provisions one today."""
    with Fleet(count=1, image=TRIXIE.bare_image, base=TRIXIE.base_image, name_prefix="trixie",
               progress=lambda m: None) as fleet:
        yield fleet.servers[0]


def test_bootstrap_picks_the_debian13_stack_and_installs_it(trixie):
    result = pipeline.bootstrap(trixie.connection(), config())
    assert (result.stack, result.python_version) == ("debian13-apache-wsgi", "3.13"), result
    assert f"packages installed: {' '.join(TRIXIE.packages)}" in result.changes
    versions = trixie.connection().run("dpkg-query -W -f '${Version}' libapache2-mod-wsgi-py3", hide=True).stdout
    assert versions.startswith(f"{TRIXIE.mod_wsgi_major}."), f"mod_wsgi {versions}, expected {TRIXIE.mod_wsgi_major}.x"
    assert trixie.stack is TRIXIE


@pytest.mark.parametrize("way", ["tree built by a runner Python 3.13", "wheels installed by the server"])
def test_deploy_for_python_313_serves(trixie, way, monkeypatch):
    if way.startswith("wheels"):
        monkeypatch.setattr(packmod.bytecode, "interpreter_for", lambda version: None)
    else:
        assert packmod.bytecode.interpreter_for("3.13"), "this runner has no Python 3.13 (PATH or pyenv)"
    art = pipeline.pack(APPS / "yourapplication", config(), python_version="3.13")
    assert bool(art.manifest["tree"]) is way.startswith("tree") and art.manifest["python_version"] == "3.13"
    c = trixie.new_connection(user="deployer")
    try:
        result = pipeline.deploy(c, config(), art)
    finally:
        c.close()
    print(f"\n{way}: install {result.timings.get('install')}s, deploy {result.seconds:.2f}s")
    r = requests.get(trixie.base_url + "/health", headers={"Host": "localhost"}, timeout=10)
    assert r.status_code == 200 and r.headers["X-Deploy-Release"] == result.release_id, r.text[:300]
    python = trixie.connection().run(f"{config().root}/current/venv/bin/python -c "
                                     "'import markupsafe._speedups, sys; print(sys.version_info[:2])'", hide=True)
    assert python.stdout.strip() == "(3, 13)", python.stdout  # the compiled wheel of 3.13 imports


def test_an_os_no_stack_knows_is_refused_before_anything_is_installed():
    with Fleet(count=1, image=TRIXIE.bare_image, base=TRIXIE.base_image, name_prefix="unknown",
               progress=lambda m: None) as fleet:
        server = fleet.servers[0]
        c = server.connection()
        fake = 'ID=ubuntu\nVERSION_ID="24.04"\nPRETTY_NAME="Ubuntu 24.04 LTS"\n'
        c.run(f"sudo -n sh -c {shlex.quote(f'rm /etc/os-release && printf %s {shlex.quote(fake)} > /etc/os-release')}",
              hide=True)
        with pytest.raises(stacks.UnsupportedServer) as info:
            pipeline.bootstrap(c, config())
        message = str(info.value)
        assert "\n" not in message and message.startswith(f"{server.label}: unsupported server OS Ubuntu 24.04 LTS")
        assert "debian12-apache-wsgi (Debian 12 (bookworm)), debian13-apache-wsgi (Debian 13 (trixie))" in message
        apache = c.run("dpkg-query -W -f '${Status}' apache2", hide=True, warn=True)
        assert "install ok installed" not in apache.stdout and c.run("id yourapplication", warn=True,
                                                                     hide=True).failed
