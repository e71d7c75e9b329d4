"""What post_deploy commands leave running, on a real container (the class: a command the agent starts for the app
whose processes outlive it and hold the deploy, or live on unnoticed).

Each command runs through ``programs.spawn.run`` (its own session, stdin /dev/null, output to a pipe the agent
reads, a bounded wait); what it leaves running is named in the deploy's ``post_deploy`` step and killed. The
members tried: a plain background job, ``nohup``, a double-forked ``setsid`` daemon, and a command that closes its
output and carries on (bounded by ``post_deploy_timeout``). Deploys log in as ``deployer`` (no sudo): the check
runs as the app user through the one sudoers rule.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from deploytests import pipeline, stacks
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.errors import DeployError
from deploytests.examples import APPS

pytestmark = pytest.mark.integration

# Markers in the command lines (sleep's argument) so the test can find them on the server; long enough that a
# deploy waiting for them would be a hang, not a slow pass.
STRAYS = [
    "sleep 3601 &",
    "nohup sleep 3602 >/dev/null 2>&1 &",
    "setsid sh -c 'sleep 3603 & exit 0' </dev/null >/dev/null 2>&1 &",
    "python3 -c 'import os,time\nif os.fork() == 0:\n os.setsid()\n if os.fork() == 0: time.sleep(3604)\n"
    " os._exit(0)'",
]


def config(**changes):
    return replace(load_config(APPS / "yourapplication"), deploy_user="deployer", **changes)


@pytest.fixture(scope="module", params=["debian12-apache-wsgi", "debian13-apache-wsgi"])
def booted(request):
    """A server of the stack (Debian 12: sudo 1.9.13, Debian 13: 1.9.16), bootstrapped; its Python version."""
    stack = stacks.get(request.param)
    with Fleet(count=1, image=stack.image, base=stack.base_image, progress=lambda m: None) as fleet:
        srv = fleet.servers[0]
        yield srv, pipeline.bootstrap(srv.connection(), config()).python_version


@pytest.fixture(scope="module")
def box(booted):
    return booted[0]


@pytest.fixture(scope="module")
def artifacts(booted):
    """v1 and v2 of the example app: each test first makes one live, then deploys the other (a release is built:
    post_deploy runs only then)."""
    return [pipeline.pack(APPS / name, config(), python_version=booted[1])
            for name in ("yourapplication", "yourapplication-v2")]


@pytest.fixture
def deployer(box):
    c = box.new_connection(user="deployer")
    yield c
    c.close()


def sleeps(box) -> list[str]:
    """The command lines of the server's ``sleep 36xx`` processes (and the python daemon sleeping 3604)."""
    out = box.connection().run("ps -eo args=", hide=True, warn=True).stdout
    return [line for line in out.splitlines() if "360" in line and "ps -eo" not in line]


def test_post_deploy_background_jobs_are_named_killed_and_do_not_hold_the_deploy(box, deployer, artifacts):
    pipeline.deploy(deployer, config(), artifacts[1])
    lines = []
    progress = lambda host, step, seconds, message: lines.append(f"{step} {message}")  # noqa: E731
    cfg = config(post_deploy=(*config().post_deploy, *STRAYS))  # the app's own command first: health needs it
    res = pipeline.deploy(deployer, cfg, artifacts[0], progress=progress)
    assert res.changed and res.release_id
    step = next(line for line in lines if line.startswith("post_deploy "))
    assert "left running after it ended" in step and "(killed)" in step, lines
    # each job is named and killed; a job caught between its shell's fork and exec is named by the kernel's name
    # for it ([sh], [nohup]) rather than its command line (CI saw `298  (killed)` for `nohup sleep 3602 &`)
    assert step.count("(killed)") >= 4, step
    for marker in ("sleep 3601", "3604"):
        assert marker in step, step
    assert sleeps(box) == []


def test_a_post_deploy_command_past_its_bound_is_killed_and_the_release_refused(box, deployer, artifacts):
    live = pipeline.deploy(deployer, config(), artifacts[0]).release_id
    cfg = config(post_deploy=(*config().post_deploy, "exec >&- 2>&-; sleep 3605"),
                 post_deploy_timeout=15)  # the app's own command must finish within it, even on a busy runner
    with pytest.raises(DeployError) as err:
        pipeline.deploy(deployer, cfg, artifacts[1])
    line = str(err.value).splitlines()[0]
    assert "post-deploy command 'exec >&- 2>&-; sleep 3605' ran longer than post_deploy_timeout (15s)" in line
    assert "killed with its process group" in line
    assert sleeps(box) == []
    assert pipeline.status(deployer, cfg).live == live
