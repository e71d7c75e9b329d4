"""The same code path against an engine named by DOCKER_HOST (here: dockerd reached over loopback TCP).

The test exposes the local engine's unix socket on a random 127.0.0.1 TCP port (a small relay, like
`dockerd -H tcp://127.0.0.1:PORT` would), points DOCKER_HOST at it and brings a fleet up through it.
"""

from __future__ import annotations

import socket
import threading

import pytest

from deploytests.containers import Fleet, docker_client
from deploytests.containers.sweep import L_RUN

pytestmark = pytest.mark.integration


class UnixToTcpRelay:
    """Accept on 127.0.0.1:<random> and relay each connection to the engine's unix socket."""

    def __init__(self, path="/var/run/docker.sock"):
        self.path = path
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.path)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            src.close()  # each socket is the source of one of the two pipes: closed once, by that pipe

    def close(self):
        self.listener.close()


def test_fleet_through_docker_host_tcp(monkeypatch):
    relay = UnixToTcpRelay()
    try:
        monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{relay.port}")
        with Fleet(count=2, progress=lambda m: None) as fleet:
            assert relay.connections > 0
            for server in fleet.servers:
                assert server.host == "127.0.0.1"
                assert server.connection().run("hostname", hide=True).stdout.strip() == server.name
            run_id = fleet.run_id
        monkeypatch.delenv("DOCKER_HOST")
        assert docker_client().containers.list(all=True, filters={"label": f"{L_RUN}={run_id}"}) == []
    finally:
        relay.close()
