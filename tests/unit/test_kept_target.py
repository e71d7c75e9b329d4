"""``--keep-containers`` prints the targets.toml table that names the kept containers, ready to paste.

Class: an output that tells the user to do a next step it gives no material for. The kept containers' lines
were an ssh command and a URL per host; README's troubleshooting then asked the user to write the target table
from them by hand (host tables, key, known_hosts). Here the printed table is loaded by the inventory's own
loader, so a table the loader would refuse fails this test."""

from __future__ import annotations

from pathlib import Path

from deploytests.servers import Server
from deploytests.targets.docker import kept_target
from deploytests.targets.inventory import load_inventory


def _server(n: int, tmp: Path) -> Server:
    return Server(name=f"web-{n}", label=f"docker://web-{n}", host="127.0.0.1", port=32800 + 2 * n, user="appuser",
                  key_filename=tmp / "id_ed25519", known_hosts=tmp / "known_hosts",
                  base_url=f"http://127.0.0.1:{32801 + 2 * n}", container_id=f"{n:012x}abcdef")


def test_the_printed_table_is_a_target_the_inventory_loads(tmp_path):
    servers = [_server(1, tmp_path), _server(2, tmp_path)]
    lines = kept_target(servers)
    table = [ln for ln in lines if ln.startswith("  ")]
    (tmp_path / "targets.toml").write_text("\n".join(table) + "\n")
    spec = load_inventory(tmp_path / "targets.toml")["kept"]
    assert [(h.user, h.host, h.port, h.name, h.base_url) for h in spec.hosts] == [
        ("appuser", "127.0.0.1", 32802, "web-1", "http://127.0.0.1:32803"),
        ("appuser", "127.0.0.1", 32804, "web-2", "http://127.0.0.1:32805")]
    assert (spec.identity_file, spec.known_hosts) == (tmp_path / "id_ed25519", tmp_path / "known_hosts")
    assert spec.rights.deploy
    assert "--target kept --no-deploy" in lines[-1] and "docker rm -f 000000000001 000000000002" in lines[-1]
    assert lines[0] == "to point the suite or fab at these containers, add to targets.toml:"
