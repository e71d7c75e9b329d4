"""The README's reference material is checked against the code, so it cannot rot."""

from __future__ import annotations

import re
from pathlib import Path


from deploytests.config import load_config
from deploytests.settings import OPTIONS
from deploytests.targets.inventory import load_inventory

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def block_after(heading: str, lang: str) -> str:
    """The first fenced ``lang`` block after the line containing ``heading``."""
    tail = README[README.index(heading):]
    match = re.search(rf"```{lang}\n(.*?)```", tail, re.S)
    assert match, f"no ```{lang} block after {heading!r}"
    return match.group(1)


def test_options_table_matches_the_options():
    rows = re.findall(r"^\| `(--[\w-]+)[^`]*` \| `(\w+)` \| `(\w+)` \|", README, re.M)
    assert rows == [(o.cli, o.env, o.ini) for o in OPTIONS]


def test_deploy_toml_example_is_a_valid_config(tmp_path):
    (tmp_path / "deploy.toml").write_text(block_after("### `deploy.toml`", "toml"))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "docker.cfg").write_text("CONFIG_NAME = 'docker'\n")
    (tmp_path / "vendor").mkdir()
    cfg = load_config(tmp_path)
    assert (cfg.app, cfg.entry_point, cfg.keep_releases, cfg.deploy_user) == (
        "yourapplication", "yourapplication:app", 5, "deployer")
    assert cfg.find_links == (str(tmp_path / "vendor"),)


def test_targets_toml_example_is_a_valid_inventory(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(block_after("## Real servers: `--target`", "toml"))
    staging = load_inventory(path)["staging"]
    assert [h.label for h in staging.hosts] == ["ssh://deployer@web1.staging.example.com",
                                                "ssh://deployer@web2.staging.example.com:2222"]
    assert (staging.rights.deploy, staging.rights.destructive) == (True, False)

