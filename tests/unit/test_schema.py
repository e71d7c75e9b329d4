"""The one validator of deploy.toml / [tool.deploytests] and targets.toml (deploytests.schema): each rule on its
own, the same rule reached through both files, and the README's key docs rendered from the same field tables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from deploytests import schema
from deploytests.config import FIELDS, load_config
from deploytests.errors import ConfigError
from deploytests.schema import Custom, Field, Flag, Integer, LocalPath, RelPaths, Strings, Table, Text, Url
from deploytests.targets.inventory import HOST_FIELDS, TARGET_FIELDS, load_inventory

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
MIN = 'app = "a"\nentry_point = "a:app"\n'
TARGET = '[targets.t]\nhosts = ["u@web1"]\n'


def one_line(info: pytest.ExceptionInfo) -> str:
    text = str(info.value)
    assert "\n" not in text and "Traceback" not in text, text
    return text


# ---------------------------------------------------------------- the shared rules, one by one

def table(data: object, *fields: Field, base: Path | None = None) -> Table:
    return Table(data, fields, where="f.toml:3", label="thing 'x'", base=base)


@pytest.mark.parametrize("kind, value, message", [
    (Text(r"[a-z]+", "a word"), "Ab", "key 'k' must be a word, got 'Ab'"),
    (Text(r"[a-z]+", "a word"), "ab\n", "key 'k' must be a word, got 'ab\\n'"),  # the whole string, not a prefix
    (Text(r"[a-z]*", "a word"), 5, "key 'k' must be a word, got 5"),
    (Integer(1, 9), 0, "key 'k' must be an integer from 1 to 9, got 0"),
    (Integer(1, 9), True, "key 'k' must be an integer from 1 to 9, got True"),  # a bool is not an integer
    (Integer(1, 9), 2.0, "key 'k' must be an integer from 1 to 9, got 2.0"),
    (Flag(), 1, "key 'k' must be true or false, got 1"),
    (Flag(), "yes", "key 'k' must be true or false, got 'yes'"),
    (Strings(), "a", "key 'k' must be a list of non-empty strings, got 'a'"),
    (Strings(), ["a", " "], "key 'k' must be a list of non-empty strings, got ['a', ' ']"),
    (Strings(), [1], "key 'k' must be a list of non-empty strings, got [1]"),
    (Strings(unique=True), ["a", "b", "a"], "key 'k' lists 'a' twice"),
    (RelPaths(), ["/etc"], "key 'k' must be a list of relative paths without '..', got ['/etc']"),
    (RelPaths(), ["a/../../b"], "key 'k' must be a list of relative paths without '..'"),
    (RelPaths(), ["a b"], "key 'k' must be a list of relative paths without '..'"),
    (RelPaths(), ["."], "key 'k' must be a list of relative paths without '..'"),
    (RelPaths(), ["data", "./data/"], "key 'k' lists 'data' twice"),
    (RelPaths(), ["data", "data/cache/thumbs"], "key 'k': 'data/cache/thumbs' is inside 'data'"),
    (LocalPath("a path"), "", "key 'k' must be a path, got ''"),
    (LocalPath("a path"), ["x"], "key 'k' must be a path, got ['x']"),
    (Url(), "ftp://x", "key 'k' must be an http(s) URL like 'https://www.example.com', got 'ftp://x'"),
    (Url(), "http://a b", "key 'k' must be an http(s) URL"),
    (Url(), "", "key 'k' must be an http(s) URL"),
])
def test_each_kind_refuses_in_one_line_with_where_table_key_allowed_and_got(kind, value, message):
    with pytest.raises(ConfigError) as info:
        table({"k": value}, Field("k", kind)).get("k")
    assert one_line(info).startswith(f"f.toml:3: thing 'x': {message}")


def test_kinds_return_typed_values_and_defaults(tmp_path):
    (tmp_path / "cfg").mkdir()
    fields = (Field("n", Integer(1, 9), 4), Field("f", Flag(), False), Field("s", Strings(), ()),
              Field("r", RelPaths(), ()), Field("p", LocalPath("a path", exists=True)), Field("u", Url()),
              Field("c", Custom("anything")), Field("t", Text(r"[a-z]+", "a word"), "dflt"))
    t = table({"n": 9, "f": True, "s": ["x y"], "r": ["./data/", "a/b"], "p": "cfg", "u": "https://h/x/",
               "c": {"any": 1}}, *fields, base=tmp_path)
    assert (t.get("n"), t.get("f"), t.get("s"), t.get("r")) == (9, True, ("x y",), ("data", "a/b"))
    assert (t.get("p"), t.get("u"), t.get("c")) == (tmp_path / "cfg", "https://h/x", {"any": 1})
    assert (t.get("t"), t.get("t", "given")) == ("dflt", "given")
    assert table({}, *fields).get("n") == 4 and table({}, *fields).get("n", 7) == 7


def test_local_paths_expand_home_then_start_at_the_files_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    t = table({"a": "~/key", "b": "keys/id", "c": "/abs/id"}, *(Field(k, LocalPath("a path")) for k in "abc"),
              base=tmp_path / "proj")
    assert (t.get("a"), t.get("b"), t.get("c")) == (tmp_path / "home" / "key", tmp_path / "proj" / "keys" / "id",
                                                    Path("/abs/id"))
    t = table({"a": "missing"}, Field("a", LocalPath("a path", exists=True, missing_hint="create it")), base=tmp_path)
    with pytest.raises(ConfigError) as info:
        t.get("a")
    assert one_line(info) == f"f.toml:3: thing 'x': key 'a': {tmp_path}/missing does not exist. Hint: create it."


def test_refused_values_say_why_and_what_to_do():
    kind = Text(r"[a-z]+", "a user", refuse={"root": ("never root", "use a dedicated user")})
    with pytest.raises(ConfigError) as info:
        table({"u": "root"}, Field("u", kind)).get("u")
    assert one_line(info) == "f.toml:3: thing 'x': key 'u' may not be 'root': never root. Hint: use a dedicated user."


def test_unknown_keys_name_the_allowed_ones_and_the_nearest():
    fields = (Field("hosts", Custom("a list")), Field("known_hosts", LocalPath("a path")))
    with pytest.raises(ConfigError) as info:
        table({"hostz": [], "zzz": 1}, *fields)
    assert one_line(info) == ("f.toml:3: thing 'x': unknown key 'hostz'; allowed keys: hosts, known_hosts. "
                              "Hint: did you mean 'hosts'? Otherwise remove it.")
    with pytest.raises(ConfigError) as info:
        table({"colour": 1}, *fields)
    assert one_line(info).endswith("unknown key 'colour'; allowed keys: hosts, known_hosts. "
                                   "Hint: remove it or fix its name.")


def test_required_keys_and_non_tables():
    with pytest.raises(ConfigError) as info:
        table({}, Field("app", Text(r"[a-z]+", "a name"), required=True, example='"web"')).get("app")
    assert one_line(info) == "f.toml:3: thing 'x': missing required key 'app' (a name). Hint: add app = \"web\"."
    with pytest.raises(ConfigError) as info:
        Table(5, (), where="f.toml:1", label="target 't'", form="[targets.NAME]")
    assert one_line(info) == "f.toml:1: target 't': must be a table [targets.NAME], got 5."


def test_read_toml_names_file_and_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        schema.read_toml(tmp_path / "nope.toml", what="targets file", missing_hint="create it")
    assert one_line(info) == f"targets file {tmp_path}/nope.toml does not exist. Hint: create it."
    with pytest.raises(ConfigError, match=r"cannot read deploy config .*: Is a directory\. Hint: check the path"):
        schema.read_toml(tmp_path, what="deploy config")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"a = 1\nb = 2\n# caf\xe9\n")
    with pytest.raises(ConfigError) as info:
        schema.read_toml(bad)
    assert one_line(info) == (f"{bad}:3: not UTF-8 text (byte 0xe9). Hint: save the file as UTF-8 (TOML files are "
                              "UTF-8).")
    bad.write_text("a = 1\n\nb = \n")
    with pytest.raises(ConfigError) as info:
        schema.read_toml(bad)
    assert re.fullmatch(rf"{re.escape(str(bad))}:3: not valid TOML: .*\(at line 3, column 5\)\. Hint: fix the TOML "
                        r"syntax at that line\.", one_line(info))
    bad.write_text('a = 1\na = 2\n')  # TOML itself refuses a key given twice
    with pytest.raises(ConfigError, match=r"bad.toml:2: not valid TOML: Cannot overwrite a value"):
        schema.read_toml(bad)


@pytest.mark.parametrize("text, names, line", [
    ("x = 1\n[targets.web]\n", ("targets", "web"), 2),
    ('\n\n[ targets . "web" ]\n', ("targets", "web"), 3),
    ("[targets.web.base_url]\n", ("targets", "web"), 1),
    ("[targets.webber]\n", ("targets", "web"), None),
    ("[project]\n[tool.deploytests]\n", ("tool", "deploytests"), 2),
    ('[tool]\ndeploytests = { app = "a" }\n', ("tool", "deploytests"), None),
])
def test_table_line(text, names, line):
    assert schema.table_line(text, names) == line


# ---------------------------------------------------------------- the same rule through both files

def deploy_error(tmp_path: Path, text: str | bytes, name: str = "deploy.toml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    return one_line(info)


def targets_error(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "targets.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ConfigError) as info:
        load_inventory(path)
    return one_line(info)


def test_non_utf8_is_one_line_in_both_files(tmp_path):
    """deploy.toml used to raise a bare UnicodeDecodeError (a traceback); both files now say file, line, fix."""
    assert deploy_error(tmp_path, MIN.encode() + b"# Z\xfcrich\n") == (
        f"{tmp_path}/deploy.toml:3: not UTF-8 text (byte 0xfc). Hint: save the file as UTF-8 (TOML files are UTF-8).")
    assert targets_error(tmp_path, TARGET.encode() + b"# Z\xfcrich\n").startswith(
        f"{tmp_path}/targets.toml:3: not UTF-8 text (byte 0xfc)")


def test_toml_errors_name_the_line_in_both_files(tmp_path):
    assert deploy_error(tmp_path, MIN + "port = \n").startswith(f"{tmp_path}/deploy.toml:3: not valid TOML")
    assert targets_error(tmp_path, TARGET + "deploy = \n").startswith(f"{tmp_path}/targets.toml:3: not valid TOML")


def test_unknown_keys_get_the_nearest_key_in_both_files(tmp_path):
    assert deploy_error(tmp_path, MIN + "keep_release = 3\n").endswith(
        "unknown key 'keep_release'; allowed keys: " + ", ".join(f.name for f in FIELDS)
        + ". Hint: did you mean 'keep_releases'? Otherwise remove it.")
    assert targets_error(tmp_path, TARGET + "identity = 'k'\n").endswith(
        "target 't': unknown key 'identity'; allowed keys: " + ", ".join(f.name for f in TARGET_FIELDS)
        + ". Hint: did you mean 'identity_file'? Otherwise remove it.")
    assert targets_error(tmp_path, '[targets.t]\nhosts = [{ adress = "u@w" }]\n') == (
        f"{tmp_path}/targets.toml:2: target 't': host 1: unknown key 'adress'; allowed keys: name, address, base_url. "
        "Hint: did you mean 'address'? Otherwise remove it.")


def test_pyproject_errors_name_the_table_and_its_line(tmp_path):
    text = '[project]\nname = "x"\n\n[tool.deploytests]\napp = "a"\nentry_point = "a:app"\nport = "80"\n'
    assert deploy_error(tmp_path, text, "pyproject.toml") == (
        f"{tmp_path}/pyproject.toml:7: [tool.deploytests]: key 'port' must be an integer from 1 to 65535, got '80'.")
    assert deploy_error(tmp_path, '[tool]\ndeploytests = 5\n', "pyproject.toml") == (
        f"{tmp_path}/pyproject.toml: [tool.deploytests]: must be a table [tool.deploytests], got 5.")
    (tmp_path / "pyproject.toml").write_text('tool = 5\n')  # a stray "tool" value is no deploy config (no crash)
    with pytest.raises(ConfigError, match=r"no deploy config in .* Hint: create deploy.toml"):
        load_config(tmp_path)


@pytest.mark.parametrize("line, message", [
    ('app = "web\\n"\nentry_point = "web:app"', "key 'app' must be a name of a-z, 0-9 and _ starting with a letter, "
                                               "got 'web\\n'"),
    (MIN + 'config_env = "A_CONFIG\\n"', "key 'config_env' must be an env var name"),
    (MIN + 'shared_paths = ["data", "./data/"]', "key 'shared_paths' lists 'data' twice"),
    (MIN + 'find_links = ["https://w/x", "https://w/x"]', "key 'find_links' lists 'https://w/x' twice"),
    (MIN + 'config_file = ""', "key 'config_file' must be a path to a file, relative to this file, got ''"),
    (MIN + 'server_name = ""', "key 'server_name' must be a host name, got ''"),
    (MIN + 'port = true', "key 'port' must be an integer from 1 to 65535, got True"),
])
def test_deploy_toml_edge_cases(tmp_path, line, message):
    """Each error names the line of the offending key."""
    key = re.match(r"key '(\w+)'", message)[1]
    at = next(n for n, text in enumerate(line.splitlines(), 1) if text.startswith(key))
    assert deploy_error(tmp_path, line + "\n").startswith(f"{tmp_path}/deploy.toml:{at}: {message}")


def test_deploy_toml_paths_expand_home(tmp_path, monkeypatch):
    """``~`` used to be joined under the project (…/proj/~/cfg); it now means the home directory, as in targets."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home" / "vendor").mkdir(parents=True)
    (tmp_path / "home" / "app.cfg").write_text("X = 1\n")
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "deploy.toml").write_text(MIN + 'config_file = "~/app.cfg"\nfind_links = ["~/vendor"]\n')
    cfg = load_config(tmp_path / "proj")
    assert (cfg.config_file, cfg.find_links) == (tmp_path / "home" / "app.cfg", (str(tmp_path / "home" / "vendor"),))


@pytest.mark.parametrize("extra, message", [
    ('hosts = ["u@web1"]\nuser = ""', "target 't': key 'user' must be a login name (a string), got ''"),
    ('hosts = ["u@web1"]\nkind = ""', "target 't': key 'kind' must be a string (ssh or docker), got ''"),
    ('hosts = ["u@web1"]\nbase_url = ""', "target 't': key 'base_url' must be an http(s) URL"),
    ('hosts = ["u@web1"]\nbase_url = 5', "target 't': key 'base_url' must be an http(s) URL"),
    ('hosts = ["u@web1"]\nidentity_file = ""', "target 't': key 'identity_file' must be a path (relative to the "
                                                "targets file), got ''"),
    ('hosts = ["u@web1"]\ndeploy = 1', "target 't': key 'deploy' must be true or false, got 1"),
    ('hosts = "u@web1"', "target 't': key 'hosts' must be a list of 'user@host[:port]' strings or tables, "
                         "got 'u@web1'"),
    ('hosts = ["web1"]', "target 't': host 'web1' is not 'user@host[:port]'. Hint: write user@host[:port], or set "
                         "the target's user for hosts written without one"),
    ('hosts = [{ name = "w" }]', "target 't': host 1: missing required key 'address' ('user@host[:port]'). "
                                 "Hint: add address = \"deployer@10.0.0.11\""),
    ('hosts = ["u@a", { address = "u@b", base_url = "ftp://b" }]', "target 't': host 2: key 'base_url' must be an "
                                                                   "http(s) URL"),
    ('hosts = ["u@web1"]\nbase_url = { "web2" = "http://w" }', "target 't': base_url: unknown key 'web2'; allowed "
                                                                "keys: web1. Hint: did you mean 'web1'?"),
    ('hosts = ["u@web1"]\nbase_url = { "web1" = "w" }', "target 't': base_url: key 'web1' must be an http(s) URL"),
    ('hosts = [{ name = "w", address = "u@a" }, { name = "w", address = "u@b" }]',
     "target 't': key 'hosts' lists ssh://u@w twice. Hint: list each once"),
    ('[targets.t.sub]\nx = 1', "target 't': unknown key 'sub'"),
    ('hosts = ""', "target 't': key 'hosts' must be a list of 'user@host[:port]' strings or tables, got ''"),
    ('base_url = { "w" = "http://w" }', "target 't': base_url: unknown key 'w'; allowed keys: none. Hint: remove"),
])
def test_targets_toml_edge_cases(tmp_path, extra, message):
    """Each error names the line of the offending key (the last line written here); a sub-table's header is no
    key line: the target's header line is named."""
    if extra.startswith("["):
        text, at = f"# inventory\n{extra}\n", 2
    else:
        text, at = f"# inventory\n[targets.t]\n{extra}\n", 3 + extra.count("\n")
    assert targets_error(tmp_path, text).startswith(f"{tmp_path}/targets.toml:{at}: {message}")


KEPT = """# inventory
[targets.kept]
hosts = [{ name = "web1", address = "appuser@no-such-host.invalid", base_url = "http://127.0.0.1:33238" },
         { name = "web2", address = ADDRESS, base_url = "http://127.0.0.1:33236" }]
identity_file = "id"
known_hosts = "known"
config_file = "config/docker.cfg"
deploy = true
EXTRA
[targets.other]
identityfile = "x"
"""


@pytest.mark.parametrize("address, extra, line, message", [
    ('"appuser@127.0.0.1:33237"', 'identityfile = "k"', 9, "target 'kept': unknown key 'identityfile'"),
    ('"appuser@127.0.0.1:33x39"', "", 4, "target 'kept': host 2: key 'address' must be 'user@host[:port]', "
                                         "got 'appuser@127.0.0.1:33x39'"),
    ('"appuser@127.0.0.1:33237", port = 2', "", 4, "target 'kept': host 2: unknown key 'port'"),
    ('"appuser@127.0.0.1:33237"', "destructive = 1", 9, "target 'kept': key 'destructive' must be true or false"),
    ('"appuser@web2"', "", 3, "target 'kept': key 'hosts' lists ssh://appuser@web2 twice"),
])
def test_targets_errors_name_the_line_of_the_bad_key_not_the_table_header(tmp_path, address, extra, line, message):
    """The reviewer's targets.toml: an unknown key on line 27 and a bad address on line 21 were both reported at
    the header's line 20."""
    text = KEPT.replace("ADDRESS", address).replace("EXTRA", extra)
    if "web2" in address:
        text = text.replace('name = "web1", address = "appuser@no-such-host.invalid"', 'address = "appuser@web2"')
    assert targets_error(tmp_path, text).startswith(f"{tmp_path}/targets.toml:{line}: {message}")


def test_a_key_in_every_entry_names_the_arrays_line(tmp_path):
    """Which entry's ``bogus =`` is meant is not sure from the text: the line of ``hosts =`` is named."""
    text = '[targets.t]\nuser = "u"\nhosts = [\n  { address = "a", bogus = 1 },\n  { address = "b", bogus = 2 },\n]\n'
    assert targets_error(tmp_path, text).startswith(f"{tmp_path}/targets.toml:3: target 't': host 1: unknown key")


def test_key_lines_stay_inside_their_table():
    text = 'a = 1\n[t]\nb = 2\n  "c" = 3\n[u]\nb = 4\nhosts = [\n  "x@y",\n  { address = "p@q" },\n]\n'
    assert [schema.key_line(text, (), "a"), schema.key_line(text, (), "b")] == [1, None]
    assert [schema.key_line(text, ("t",), "b"), schema.key_line(text, ("t",), "c")] == [3, 4]
    assert [schema.key_line(text, ("u",), "b"), schema.key_line(text, ("v",), "b")] == [6, None]
    assert schema.entry_line(text, ("u",), "hosts", None, "x@y") == 8
    assert schema.entry_line(text, ("u",), "hosts", "address", "p@q") == 9
    assert schema.entry_line(text, ("u",), "hosts", "address", "nope") is None


def test_targets_base_url_table_by_short_name_or_host(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text('[targets.t]\nhosts = [{ name = "w1", address = "u@10.0.0.1" }, "u@10.0.0.2"]\n'
                    'base_url = { w1 = "http://one/", "10.0.0.2" = "http://two" }\n')
    assert [h.base_url for h in load_inventory(path)["t"].hosts] == ["http://one", "http://two"]


def test_a_target_that_is_not_a_table(tmp_path):
    assert targets_error(tmp_path, "targets.t = 5\n") == (
        f"{tmp_path}/targets.toml: target 't': must be a table [targets.NAME], got 5.")
    assert targets_error(tmp_path, "x = 1\n") == (
        f"{tmp_path}/targets.toml:1: expected only [targets.NAME] tables. Hint: put every key under a "
        "[targets.NAME] header.")


# ---------------------------------------------------------------- the docs come from the same tables

def test_readme_deploy_toml_block_is_rendered_from_the_fields():
    assert example(FIELDS, name_width=14) in README, (
        "README.md's deploy.toml block is stale: paste deploytests.example(deploytests.config.FIELDS, "
        "name_width=14) into it")


def test_readme_targets_toml_block_is_rendered_from_the_fields():
    rendered = example(TARGET_FIELDS, header="[targets.staging]", comment_at=47)
    assert rendered in README, ("README.md's targets.toml block is stale: paste deploytests.example("
                                "TARGET_FIELDS, header='[targets.staging]', comment_at=47) into it")
    assert inline(HOST_FIELDS) in README, "README.md's host table example is stale: paste inline(HOST_FIELDS)"


@pytest.mark.parametrize("fields", [FIELDS, TARGET_FIELDS, HOST_FIELDS], ids=["deploy", "target", "host"])
def test_every_field_has_an_example_that_its_own_kind_accepts(fields, tmp_path):
    import tomllib

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "docker.cfg").write_text("")
    for f in fields:
        value = tomllib.loads(f"v = {f.example}")["v"]
        if not isinstance(f.kind, Custom):
            Table({f.name: value}, fields, where="example", base=tmp_path).get(f.name)


def toml_blocks() -> list[tuple[str, str]]:
    """Every ```toml block of README.md and docs/, and the targets.toml that `deploytests init` writes (its
    commented-out lines uncommented), each with where it comes from."""
    from deploytests.init import TARGETS_TOML

    root = Path(__file__).resolve().parents[2]
    blocks = [(f"{page.name} block {i}", text) for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]
              for i, text in enumerate(re.findall(r"```toml\n(.*?)```", page.read_text(), re.S), 1)]
    uncommented = "\n".join(re.sub(r"^# (\[|\w+ = )", r"\1", line) for line in TARGETS_TOML.splitlines())
    return [*blocks, ("deploytests init's targets.toml", uncommented)]


@pytest.mark.parametrize("where, text", toml_blocks(), ids=lambda x: x if " " in x else "")
def test_every_documented_key_is_a_key_of_its_file(where, text, tmp_path):
    """A key the docs show must be one the validator knows (each block checked by the table of its file)."""
    import tomllib

    data = tomllib.loads(text)
    if "targets" in data:
        (tmp_path / "targets.toml").write_text(text)
        assert load_inventory(tmp_path / "targets.toml"), where
    deploy = data if "app" in data else data.get("tool", {}).get("deploytests")
    if deploy is not None:
        Table(deploy, FIELDS, where=where)  # unknown keys raise; values are checked where files exist


# README.md's example blocks, rendered from the field tables (the docs of deploy.toml and targets.toml)

def example(fields: Sequence[Field], *, header: str = "", name_width: int = 0, comment_at: int = 43) -> str:
    """The commented TOML example of ``fields`` (the blocks in README.md): ``name = example  # doc``, names
    padded to ``name_width``, comments from column ``comment_at``."""
    lines = [header] if header else []
    for f in fields:
        line = f"{f.name:<{name_width}} = {f.example}"
        docs = f.doc.split("\n") if f.doc else []
        if docs:
            line = f"{line:<{comment_at}}# {docs[0]}" if len(line) < comment_at else f"{line}  # {docs[0]}"
        lines.append(line)
        lines += [f"{'':<{comment_at}}# {more}" for more in docs[1:]]
    return "\n".join(lines) + "\n"


def inline(fields: Sequence[Field]) -> str:
    """``fields`` as one TOML inline table of their examples (the host table shown in README.md)."""
    return "{ " + ", ".join(f"{f.name} = {f.example}" for f in fields) + " }"


# ---------------------------------------------------------------- a parse whose cost the file's author chooses

@pytest.mark.parametrize("body, why", [
    # tomllib keeps every prefix of a dotted key: 20,000 dots (40 KB) took 2.4 GB before it was refused
    ("x" + ".a" * 20_000 + " = 1\n", "a dotted key or table name of more than 32 dots (at line 3)"),
    ('x."a" . "b"' + ' .c' * 40 + " = 1\n", "a dotted key or table name of more than 32 dots (at line 3)"),
    ("[" + ".".join(["t"] * 40) + "]\n", "a dotted key or table name of more than 32 dots (at line 3)"),
    # and recurses once per nested array or inline table: 2,000 of them raised RecursionError, a traceback
    ("x = " + "[" * 2000 + "]" * 2000 + "\n", "arrays or inline tables more than 32 deep (at line 3)"),
    ("x = " + "{a=" * 2000 + "1" + "}" * 2000 + "\n", "arrays or inline tables more than 32 deep (at line 3)"),
    ("x = [\n" + "[\n" * 40 + "]\n" * 40 + "]\n", "arrays or inline tables more than 32 deep (at line 35)"),
    ('x = """' + "\n" * 3 + '"""\ny = ' + "[" * 40 + "]" * 40 + "\n", "more than 32 deep (at line 7)"),
    ("x = 1\n" + "#" * (300 << 10) + "\n", "larger than 262144 characters"),
])
def test_a_toml_file_whose_parse_would_cost_more_than_its_size_is_refused_in_one_line(tmp_path, body, why):
    """Every TOML text deploytests parses is someone's: the repository's deploy.toml and pyproject.toml are read by
    the admin's read-only gate and bootstrap. Its parse must cost what its size allows (memory, recursion), so the
    shapes that cost more are refused before tomllib sees them, in one line naming the file and the line."""
    path = tmp_path / "deploy.toml"
    path.write_text(MIN + body)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert why in one_line(info) and str(path) in str(info.value)


@pytest.mark.parametrize("text", [
    'a.b.c = "x.y.z.' + "." * 100 + '"\n',  # dots in strings are the value's
    "a = '" + "[" * 100 + "'\n",
    'a = """\n' + "." * 100 + '\n[[[[\\"""\n"""\nb.c = 1\n',  # a multi-line string, an escaped quote in it
    "a = '''" + "{" * 100 + "''''\n",  # a run of four quotes ends it with one quote of its own
    "# " + "[" * 100 + "\na = [1.5, 2.5, 3.5]\n" + "[t]\n" * 0 + "[[u.v]]\nw = 1979-05-27T07:32:00.999\n",
    "dependencies = [" + ", ".join(f'"p{i}>=1.2.3"' for i in range(40)) + "]\n",
])
def test_what_tomllib_reads_as_data_is_not_counted_as_structure(text):
    import tomllib

    assert schema.toml_loads(text) == tomllib.loads(text)


def test_every_toml_parse_goes_through_the_bounded_one():
    """One way to parse TOML (``schema.toml_loads``): a new call of ``tomllib.loads`` elsewhere would parse a
    file's text at the cost its author chooses again."""
    import deploytests

    top = Path(deploytests.__file__).parent
    calls = [f"{p.relative_to(top)}:{n}" for p in top.rglob("*.py") if p.name != "schema.py"
             for n, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"\btomllib\.loads?\(", line)]
    assert calls == []
