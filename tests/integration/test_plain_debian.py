"""A server set up by hand from plain Debian, with no project Dockerfile: bootstrap + the whole built-in suite.

From ``debian:bookworm-slim`` exactly as an admin would (``handmade.py``): ``apt-get install openssh-server sudo
python3``, a login with passwordless sudo, our key in its ``authorized_keys``, ``ssh-keygen -A``, sshd started.
Its host key is read from the server and pinned; a ``targets.toml`` points ``--target`` at it; the plugin
bootstraps it and runs the suite: green (issue 10, finding 6: ``AH00558 ServerName`` and the missing ``ss``
failed it before). The hostile-input tests on such a server are tests/integration/test_root_safety.py.
"""

from __future__ import annotations

import pytest
from handmade import server_by_hand
from wholesuite import run_whole_suite

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    with server_by_hand(tmp_path_factory.mktemp("plain-debian-key"), "plain") as server:
        yield server


def test_plain_debian_bootstrapped_passes_the_whole_suite(pytester, plain):
    run_whole_suite(pytester, "plain", f"admin@127.0.0.1:{plain['ssh']}", key=plain["key"],
                    known_hosts=plain["known_hosts"], base_url=f"http://127.0.0.1:{plain['http']}")
