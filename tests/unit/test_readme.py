"""The README's reference material is checked against the code, so it cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

from deploytests.config import load_config
from deploytests.containers.images import image_specs
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
    assert rows == [(o.cli, o.env, o.ini) for o in OPTIONS if o.pytest]
    fab_rows = re.findall(r"^\| `(-\w)[^`]*` \(fab\) \| `(\w+)` \| \(none\) \|", README, re.M)
    assert [env for _, env in fab_rows] == [o.env for o in OPTIONS if not o.pytest]


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



# ---------------------------------------------------------------- self-contained docs

ROOT = Path(__file__).resolve().parents[2]
# Folders that belong to this repository alone: any path under them must exist. ``tests/`` is shared with the
# reader's own project (``tests/deploy/...`` in an example), so only paths under its existing folders count.
OWN_DIRS = ("deploytests", "docs", "fixtures", "dockerfiles", "bench", ".ci")
OUTSIDE = [
    # a relative path that climbs out (a token starting with ../), not a traversal inside an absolute path that
    # a page quotes as refused input (/var/www/<app>/../otherapp)
    (re.compile(r"(?<![\w/.>-])\.\./"), "a parent-directory path (outside this file's folder)"),
    (re.compile(r"/work/"), "a path on the machine the docs were written on"),
    (re.compile(r"(?<![\w<>/-])shared/[A-Z]|FIELD-NOTES|DESIGN\.md|STYLE\.md"), "a document outside this repository"),
    (re.compile(r"\bissues?\s*#?\d+", re.I), "an issue number of a tracker the reader cannot see"),
]
PATH = re.compile(r"(?<![\w<>/.~$-])((?:%s|tests)/[\w./-]*)" % "|".join(re.escape(d) for d in OWN_DIRS))
LINK = re.compile(r"\]\(([^)\s]+)\)")


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def outside_references(text: str) -> list[str]:
    """Each match of :data:`OUTSIDE` as ``'what' (why)``."""
    return [f"{m.group(0)!r} ({why})" for pattern, why in OUTSIDE for m in pattern.finditer(text)]


def missing_paths(text: str, doc: Path, root: Path = ROOT) -> list[str]:
    """Paths of this repository named in ``text`` (in code or prose) and relative links that do not exist."""
    missing = []
    for m in PATH.finditer(text):
        path = m.group(1).split("::")[0].rstrip(".,:;")
        parts = path.split("/")
        if any(c in path for c in "*<>{}") or (parts[0] == "tests" and not (root / "tests" / parts[1]).is_dir()):
            continue
        if parts[0] == "deploytests" and len(parts) == 2 and (parts[1] in image_specs()
                                                             or (root / "dockerfiles" / parts[1]).is_dir()):
            continue  # an image name, deploytests/<name a stack gives> or deploytests/<image folder>
        if not (root / path).exists():
            missing.append(path)
    for m in LINK.finditer(text):
        target = m.group(1).split("#")[0]
        if not target or re.match(r"[a-z]+:", target):
            continue
        resolved = (doc.parent / target).resolve()
        if not resolved.is_relative_to(root) or not resolved.exists():
            missing.append(f"link {target}")
    return missing


def test_docs_exist():
    names = {p.name for p in doc_files()}
    assert {"README.md", "architecture.md", "writing-checks.md", "ci.md"} <= names, sorted(names)


def test_docs_point_nowhere_outside_this_repository():
    found = {str(p.relative_to(ROOT)): outside_references(p.read_text()) for p in doc_files()}
    assert {k: v for k, v in found.items() if v} == {}


def test_repository_paths_in_docs_exist():
    found = {str(p.relative_to(ROOT)): missing_paths(p.read_text(), p) for p in doc_files()}
    assert {k: v for k, v in found.items() if v} == {}


def test_python_examples_in_docs_compile():
    for doc in doc_files():
        for n, block in enumerate(re.findall(r"```python\n(.*?)```", doc.read_text(), re.S)):
            compile(block, f"{doc.name}, python block {n + 1}", "exec")


# The checks themselves must be able to fail: each rule against a sample that breaks it.

def test_outside_references_are_caught():
    text = ("See ../shared/DESIGN.md and the FIELD-NOTES; app: /work/main/fixtures/apps/x; "
            "fixed in issue 6 and Issue #12. [up](../../x.md) `../y`")
    assert len(outside_references(text)) == 8


def test_server_paths_and_parent_free_text_are_not_outside_references():
    text = ("/var/www/<app>/shared/application.cfg, shared/ is 0750, `shared_paths = [\"data\"]`, "
            "current -> releases/<id>, the deploy login's issues, refused: `/var/www/<app>/../otherapp/x.cfg`")
    assert outside_references(text) == []


def test_missing_repository_paths_are_caught(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "deploytests").mkdir()
    (tmp_path / "deploytests" / "plugin.py").write_text("")
    (tmp_path / "dockerfiles" / "web").mkdir(parents=True)
    doc = tmp_path / "docs" / "x.md"
    text = ("`deploytests/plugin.py` and `deploytests/gone.py`, tests/unit/test_gone.py::test_x, "
            "[ok](../deploytests/plugin.py) [gone](gone.md) [up](../../elsewhere.md) "
            "[web](https://example.com/x.md), your own tests/deploy/test_app.py, /var/www/deploytests/x, "
            "image deploytests/web:abc, deploytests/web")
    assert missing_paths(text, doc, root=tmp_path) == [
        "deploytests/gone.py", "tests/unit/test_gone.py", "link gone.md", "link ../../elsewhere.md"]


# ---------------------------------------------------------------- the worked example of docs/writing-checks.md

EXAMPLE_FILE = re.compile(r"^File `([^`]+)`:\n\n```\w*\n(.*?)```", re.S | re.M)


def test_worked_example_is_a_project_deploytests_accepts(tmp_path):
    files = EXAMPLE_FILE.findall((ROOT / "docs" / "writing-checks.md").read_text())
    assert [path for path, _ in files] == ["pyproject.toml", "deploy.toml", "config/docker.cfg", "notes/__init__.py",
                                           "notes/db.py", "tests/deploy/test_deployed_notes.py"]
    for path, body in files:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(body)
    cfg = load_config(tmp_path)
    assert (cfg.app, cfg.entry_point, cfg.shared_paths) == ("notes", "notes:create_app()", ("instance",))
    assert f"{cfg.root}/shared/instance/" in (tmp_path / "config" / "docker.cfg").read_text()
