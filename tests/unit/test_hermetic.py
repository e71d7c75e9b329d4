"""The unit level's own environment (tests/unit/conftest.py, :func:`deploytests.testing.hermetic`): set, never
inherited."""

from __future__ import annotations

import os
import pwd
import signal
import socket
from pathlib import Path

import pytest

from deploytests.cache import cache_dir
from deploytests.testing import NetworkForbidden


def test_signals_are_pythons_defaults_whatever_the_parent_left():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_home_and_the_cache_are_this_sessions_never_the_users():
    real_home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    assert Path(os.environ["HOME"]) != real_home and Path.home() == Path(os.environ["HOME"])
    assert cache_dir().is_relative_to(Path(os.environ["HOME"]))


def test_connecting_out_is_refused_loopback_is_not():
    with socket.socket() as s, pytest.raises(NetworkForbidden, match="not marked `network`"):
        s.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed
    with socket.create_server(("127.0.0.1", 0)) as server, socket.socket() as s:
        s.connect(server.getsockname())


@pytest.mark.network
def test_a_test_marked_network_gets_the_real_connect():
    assert socket.socket.connect.__qualname__ == "socket.connect"
