"""The agent's commands end to end on the runner: ``agent.main`` run on a release tree under a temp dir, as the
current user, with the arguments as JSON and the payload on stdin, as a srv runs it.

What is real: the tree, the lock, the artifact (a tar with a prebuilt venv tree holding a WSGI app), the venv
(``python -m venv``), the release check (the preflight program in the new venv, as a subprocess), the switch,
prune and every event line. What is faked: the HTTP probe of the gate (:class:`deploytests.testing.FakeSite`
answers with the release ``current`` names) and its clock.
Apache, sudo and root are the integration tests' business.
"""

from __future__ import annotations

import fcntl
import functools
import grp
import hashlib
import io
import json
import os
import pwd
import sys
import tarfile
from pathlib import Path

import pytest

from deploytests.pipeline import agent, releases
from deploytests.pipeline.contract import DeployReply, RunArgs, StatusArgs, StatusReply
from deploytests.testing import FakeClock, FakeSite, deploy_args, rollback_args

HERE = "%d.%d" % sys.version_info[:2]
PLACEHOLDER = "/__deploytests_venv__/bin/python"
APP = """
import os
VERSION = %(version)r
if os.path.exists(os.environ.get("APP_CONFIG", "")):  # its config, read at start as an app reads it (when installed)
    with open(os.environ["APP_CONFIG"]) as f:
        CONFIG = f.read()
def app(environ, start_response):
    if environ["PATH_INFO"] == "/health":
        start_response(%(health)r, [("Content-Type", "text/plain")])
        return [VERSION.encode()]
    start_response("404 Not Found", [])
    return [b""]
"""


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755 if name.startswith("bin/") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def artifact(version: str, health: str = "200 OK", source: str = APP) -> bytes:
    """An artifact as pack makes it for this Python: manifest + a prebuilt tree holding ``app.py``."""
    tree = _tar({"lib/python%s/site-packages/app.py" % HERE: (source % {"version": version, "health": health}).encode(),
                 "bin/app-tool": ("#!%s\nprint('tool')\n" % PLACEHOLDER).encode()})
    manifest = {"name": "app", "version": version, "tree": ["tree/app.tar"], "python_version": HERE,
                "placeholder": PLACEHOLDER, "platform_wheels": []}
    return _tar({"manifest.json": json.dumps(manifest).encode(), "tree/app.tar": tree})


class Server:
    """A bootstrapped tree under a temp dir, the fake site answering for it, and the agent run on it."""

    go = True  # the runner's go for a switch follows each deploy's and rollback's payload (False: it left)

    def __init__(self, root: Path, monkeypatch, capsys):
        self.root, self.monkeypatch, self.capsys = root, monkeypatch, capsys
        for d in ("releases", "shared"):
            (root / d).mkdir(parents=True)
        (root / "application.wsgi").write_text("# wsgi\n")
        (root / ".deploy.lock").touch()
        self.site, self.clock = FakeSite(str(root)), FakeClock()
        monkeypatch.setattr(agent, "probe", self.site.probe)
        monkeypatch.setattr(agent, "gate", functools.partial(agent.gate, probe=self.site.probe, clock=self.clock,
                                                             sleep=self.clock.sleep))
        monkeypatch.setattr(agent, "_RUNNER", {"connected": True})
        self.day, self.locks = 0, []
        acquire = agent.acquire_lock

        def acquire_lock(path, timeout, **kw):  # remember the fd: the agent's process exit closes it
            fd = acquire(path, timeout, **kw)
            self.locks.append((fd, os.fstat(fd)))
            return fd

        monkeypatch.setattr(agent, "acquire_lock", acquire_lock)

    def run(self, command: str, args, payload: bytes = b"", stdin=None) -> tuple[int, list[dict]]:
        """``agent.main([command, args as JSON])`` with ``payload`` on stdin: (exit code, events); then, for a
        deploy or a rollback, the runner's go for the switch unless ``self.go`` is False (a runner that left).
        ``stdin``: a file descriptor to read instead (a pipe the test writes to)."""
        go = self.go

        class Runner(io.BytesIO):  # the payload, then the runner's go when the agent asks past its end
            def readline(self, size=-1):
                return super().readline(size) or (b"go\n" if go else b"")

        stream = Runner(payload) if stdin is None else io.BufferedReader(io.FileIO(stdin, "r", closefd=False))
        self.monkeypatch.setattr(agent.sys, "stdin", type("Stdin", (), {"buffer": stream})())
        self.capsys.readouterr()
        data = args if isinstance(args, str) else json.dumps(args.to_dict())
        try:
            code = agent.main([command, data])
        finally:
            self.exit()
        out = self.capsys.readouterr().out
        return code, [json.loads(line[len(agent.EVENT):]) for line in out.splitlines() if line.startswith(agent.EVENT)]

    def exit(self) -> None:
        """What the end of the agent's process does: its lock fd closed (a failed step leaves it to the kernel)."""
        for fd, st in self.locks:
            try:
                now = os.fstat(fd)
            except OSError:
                continue
            if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                os.close(fd)
        self.locks.clear()

    def deploy_args(self, version: str, health: str = "200 OK", config: bytes | None = None, source: str = APP,
                    **overrides):
        """Arguments and payload of a deploy of ``version``; each new version one day later (sortable ids)."""
        data = artifact(version, health, source)
        sha = hashlib.sha256(data).hexdigest()
        self.day += 1
        args = deploy_args(str(self.root), release_id="202601%02dT000000Z-%s" % (self.day, sha[:8]),
                           artifact_sha256=sha, artifact_size=len(data),
                           release={"version": version, "artifact_sha256": sha, "deployed_by": "tests@runner",
                                    "entry_point": overrides.get("entry_point", "app:app")},
                           config_size=None if config is None else len(config), **overrides)
        return args, (config or b"") + data

    def deploy(self, version: str, health: str = "200 OK", config: bytes | None = None, source: str = APP,
               **overrides):
        args, payload = self.deploy_args(version, health, config, source, **overrides)
        return self.run("deploy", args, payload)

    def live(self) -> str | None:
        return agent.Tree(str(self.root)).live()

    def releases(self) -> list[str]:
        return sorted(os.listdir(self.root / "releases"))


@pytest.fixture
def srv(tmp_path, monkeypatch, capsys):
    return Server(tmp_path / "www" / "app", monkeypatch, capsys)


def result(events):
    assert events[-1]["event"] == "result", events[-1].get("what", events[-1])
    return events[-1]


def error(events):
    assert events[-1]["event"] == "error", events[-1]
    return events[-1]


def steps(events):
    return [e["step"] for e in events if e["event"] == "step"]


# ---------------------------------------------------------------- deploy

def test_first_deploy_builds_checks_switches_gates_and_reports_through_the_contract(srv):
    code, events = srv.deploy("1.0")
    res = result(events)
    assert code == 0 and res["changed"] and res["previous"] is None and res["version"] == "1.0"
    rid = res["release_id"]
    assert steps(events) == ["lock", "upload", "unpack", "install", "import", "preflight", "switch", "gate", "prune"]
    assert srv.live() == rid and os.readlink(srv.root / "current") == "releases/" + rid
    meta = json.loads((srv.root / "releases" / rid / "RELEASE.json").read_text())
    assert meta["id"] == rid and meta["version"] == "1.0" and meta["config_sha256"] is None
    venv = srv.root / "releases" / rid / "venv"
    # placeholder replaced by the venv's python (the /bin/sh re-exec form when the path passes the 127-byte limit)
    assert (venv / "bin" / "app-tool").read_bytes().startswith(agent.shebang("%s/bin/python" % venv) + b"\n")
    assert not (srv.root / "releases" / rid / "artifact.tar").exists()
    assert srv.site.requests[-1] == (8080, "/health", "app.test")
    # the runner reads the result through the same contract
    assert DeployReply.from_dict(res, ignore=("event",)).release_id == rid


def test_a_release_records_what_the_server_looked_like_when_it_was_made(srv, tmp_path, monkeypatch):
    """SNAPSHOT.json (the gate's drift report compares with it): every file of venv/lib and venv/bin by sha256,
    /etc/apache2's entries (a link with its target and what it reaches), the two users' groups; written before
    RELEASE.json, so a complete release has it."""
    apache = tmp_path / "apache2"
    (apache / "sites-available").mkdir(parents=True)
    (apache / "sites-available" / "app.conf").write_text("<VirtualHost *:80>\n</VirtualHost>\n")
    (apache / "sites-enabled").mkdir()
    (apache / "sites-enabled" / "app.conf").symlink_to("../sites-available/app.conf")
    monkeypatch.setattr(agent, "APACHE_DIR", str(apache))
    code, events = srv.deploy("1.0")
    rid = result(events)["release_id"]
    snap = json.loads((srv.root / "releases" / rid / "SNAPSHOT.json").read_text())
    venv = srv.root / "releases" / rid / "venv"
    want = {str(p.relative_to(venv)): hashlib.sha256(p.read_bytes()).hexdigest()
            for top in ("lib", "bin") for p in (venv / top).rglob("*") if p.is_file() and not p.is_symlink()}
    assert code == 0 and snap["files"] == want and want
    conf = hashlib.sha256(b"<VirtualHost *:80>\n</VirtualHost>\n").hexdigest()
    assert snap["apache"] == {f"{apache}/sites-available/app.conf": {"sha256": conf},
                              f"{apache}/sites-enabled/app.conf": {"link": "../sites-available/app.conf",
                                                                   "sha256": conf}}
    assert set(snap["groups"]) <= {"app", "deploy"} and snap["groups"].get("deploy")


def test_redeploying_the_live_artifact_changes_nothing(srv):
    args, payload = srv.deploy_args("1.0")
    first = result(srv.run("deploy", args, payload)[1])
    code, events = srv.run("deploy", args, payload)
    again = result(events)
    assert code == 0 and (again["changed"], again["release_id"]) == (False, first["release_id"])
    assert steps(events) == ["lock", "prune"] and srv.releases() == [first["release_id"]]


def test_the_same_artifact_with_other_settings_is_a_new_release_saying_which(srv):
    """Class: the release's identity missed inputs that change what runs: a changed post_deploy alone was "no
    change" (the runner's settings digest, releases.release_settings, is compared with the live release's)."""
    from deploytests.pipeline.releases import settings_digest

    def with_settings(args, **settings):
        return args.replace(release=dict(args.release, settings=settings, settings_sha256=settings_digest(settings)))

    args, payload = srv.deploy_args("1.0")
    first = result(srv.run("deploy", with_settings(args, post_deploy=[]), payload)[1])
    code, events = srv.run("deploy", with_settings(args, post_deploy=["true"]), payload)
    again = result(events)
    assert code == 0 and again["changed"] and again["release_id"] != first["release_id"]
    assert [e["message"] for e in events if e.get("step") == "settings"] == ["settings changed: post_deploy"]


def test_a_second_version_keeps_the_first_as_previous_and_prune_keeps_keep_releases(srv):
    done = [result(srv.deploy(v, keep_releases=2)[1]) for v in ("1.0", "2.0", "3.0", "4.0")]
    ids = [r["release_id"] for r in done]
    assert [r["previous"] for r in done] == [None, *ids[:3]]
    assert [r["pruned"] for r in done] == [[], [], [ids[0]], [ids[1]]]  # never the live one nor the previous
    assert srv.releases() == ids[2:]


def test_a_release_failing_its_preflight_is_refused_and_the_live_one_untouched(srv):
    live = result(srv.deploy("1.0")[1])["release_id"]
    code, events = srv.deploy("2.0", health="500 BOOM")
    err = error(events)
    assert code == 3 and err["step"] == "preflight"
    assert "failed its preflight (GET /health in-process) (exit 1): preflight: GET /health -> 500 BOOM" in err["what"]
    assert "live release was not touched" in err["hint"]
    assert (err["post_deploy_ran"], err["nothing_live"]) == (False, False)  # typed, for the runner's state line
    assert srv.live() == live and srv.releases() == [live, "failed.log"]
    failed = json.loads((srv.root / "releases" / "failed.log").read_text())
    assert failed["version"] == "2.0" and "500 BOOM" in failed["reason"]


def test_a_preflight_4xx_names_the_host_header_it_sent(srv):
    """Django's ALLOWED_HOSTS answers 400 to a Host it does not allow: the hint names server_name."""
    result(srv.deploy("1.0")[1])
    code, events = srv.deploy("2.0", health="400 Bad Request")
    err = error(events)
    assert code == 3 and err["step"] == "preflight"
    # a plain WSGI app tells no route or Host facts: both causes are named, neither asserted
    assert err["hint"].startswith("the live release was not touched; the health GET of /health with Host: app.test "
                                  "(server_name in deploy.toml) got 400 Bad Request: either /health is not a route "
                                  "of the app (health_path in deploy.toml), or the app does not allow that Host"), \
        err["hint"]
    _, events = srv.deploy("3.0", health="500 BOOM")  # a 5xx is the app's own failure: no Host hint
    assert "Host:" not in error(events)["hint"]


def counting(srv) -> list[str]:
    """A post_deploy command that appends a line to shared/runs (the live data): how often it ran."""
    return ["echo run >> %s/shared/runs" % srv.root]


def runs(srv) -> int:
    path = srv.root / "shared" / "runs"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_a_release_that_cannot_import_is_refused_before_post_deploy_touches_the_live_data(srv):
    live = result(srv.deploy("1.0", post_deploy=counting(srv))[1])["release_id"]
    assert runs(srv) == 1
    code, events = srv.deploy("2.0", post_deploy=counting(srv), entry_point="app:missing")
    err = error(events)
    assert code == 3 and err["step"] == "import" and "AttributeError" in err["what"]
    assert runs(srv) == 1  # post_deploy did not run for the refused release
    assert err["hint"] == ("the live release was not touched; entry_point = 'app:missing' (deploy.toml): module "
                           "'app' has no 'missing'; a value that imports: entry_point = 'app:app'")
    assert srv.live() == live


def test_a_release_refused_after_post_deploy_says_it_ran_against_the_live_data(srv):
    live = result(srv.deploy("1.0", post_deploy=counting(srv))[1])["release_id"]
    code, events = srv.deploy("2.0", health="500 BOOM", post_deploy=counting(srv))
    err = error(events)
    assert code == 3 and err["step"] == "preflight" and steps(events)[-2:] == ["import", "post_deploy"]
    assert runs(srv) == 2 and srv.live() == live
    assert (err["post_deploy_ran"], err["nothing_live"]) == (True, False)
    assert "not touched" not in err["hint"], err["hint"]
    assert err["hint"] == ("the live release still serves, but post_deploy already ran against the live data "
                           "(%s/shared and any database the app uses): check that data (post_deploy runs on every "
                           "deploy and must be safe to repeat); fix the app and deploy again" % srv.root)


def test_a_failing_post_deploy_command_says_it_ran_against_the_live_data(srv):
    result(srv.deploy("1.0")[1])
    _, events = srv.deploy("2.0", post_deploy=counting(srv) + ["echo broken >&2; exit 5"])
    err = error(events)
    assert err["step"] == "post_deploy" and runs(srv) == 1
    assert err["hint"].startswith("the live release still serves, but post_deploy already ran against the live "
                                  "data") and err["hint"].endswith("; fix the command and deploy again")


def test_a_gate_failure_after_post_deploy_says_it_ran_against_the_live_data(srv):
    v1 = result(srv.deploy("1.0", post_deploy=counting(srv))[1])["release_id"]
    args, payload = srv.deploy_args("2.0", gate_timeout=2, post_deploy=counting(srv))
    srv.site.status[args.release_id] = 500
    _, events = srv.run("deploy", args, payload)
    err = error(events)
    assert err["step"] == "gate" and srv.live() == v1 and runs(srv) == 2
    assert err["hint"] == ("see the server's error log below; the release was removed; " + agent.post_deploy_note(
        str(srv.root)))


READS_CONFIG = APP + """
with open(os.environ["APP_CONFIG"]) as f:
    f.read()
"""


def test_a_missing_config_names_config_file_as_the_fix(srv):
    _, events = srv.deploy("1.0", source=READS_CONFIG)
    err = error(events)
    assert err["step"] == "import" and "FileNotFoundError" in err["what"]
    assert err["hint"] == ("nothing was live yet; the app reads its config from %s/shared/app.cfg "
                           "(APP_CONFIG) and none is installed there: set config_file in deploy.toml (or the "
                           "target's config_file) to the config the servers get" % srv.root)
    (srv.root / "shared" / "app.cfg").write_text("")  # the config installed: the same release deploys
    assert result(srv.deploy("1.0", source=READS_CONFIG)[1])["changed"]


INSTANCE_IN_VENV = APP + """
import sys
# Flask(__name__) installed: instance_path is <venv>/var/app-instance, which the app user cannot create (as root
# here, the error is raised as the server raises it)
raise PermissionError(13, "Permission denied", os.path.join(sys.prefix, "var"))
"""


def test_an_instance_path_inside_the_venv_names_instance_path_as_the_fix(srv):
    args, payload = srv.deploy_args("1.0", source=INSTANCE_IN_VENV)
    err = error(srv.run("deploy", args, payload)[1])
    release = "%s/releases/%s" % (srv.root, args.release_id)
    assert err["step"] == "import" and "PermissionError" in err["what"] and release + "/venv/var" in err["what"]
    assert err["hint"].startswith("nothing was live yet; the app's instance path is under %s/venv/var/, "
                                  "Flask's default for an installed package" % release), err["hint"]
    assert 'instance_path=os.path.abspath("instance")' in err["hint"]
    assert '%s/shared/instance' % srv.root in err["hint"] and 'shared_paths = ["instance"]' in err["hint"]


def test_a_database_in_a_data_folder_that_is_not_there_names_it_and_that_nothing_was_live(srv):
    """Issue 18.1: the hint names what blocks the app (here: its data folder, a link to nowhere: a missing one is
    made by the deploy, next test), and a first deploy never says "the live release still serves"."""
    os.symlink("/nonexistent/instance", srv.root / "shared" / "instance")
    err = error(srv.deploy("1.0", shared_paths=["instance"], post_deploy=[
        "python -c 'import sqlite3; sqlite3.connect(\"instance/app.sqlite\").execute(\"create table t(x)\")'"])[1])
    assert err["step"] == "post_deploy" and "unable to open database file" in err["what"]
    assert "cannot write %s/shared/instance (No such file or directory)" % srv.root in err["hint"], err["hint"]
    assert "nothing was live yet" in err["hint"] and "still serves" not in err["hint"]


def test_a_first_deploy_makes_the_tree_bootstrap_left_to_it_with_the_roots_group(tmp_path, monkeypatch, capsys):
    """Bootstrap makes only the app's root (the deploy login's, group app, setgid); the first deploy makes the rest
    with the deploy login's rights: ``releases`` 0755 and not setgid, ``shared`` 2750 and each shared path 2770
    through the setgid bit (never a chmod, which drops it for a login not yet in the group), application.wsgi
    0644 with the text it is given (rewritten when that changes), the lock."""
    root = tmp_path / "www" / "app"
    root.mkdir(parents=True)
    root.chmod(0o2755)
    srv = Server.__new__(Server)
    srv.root, srv.monkeypatch, srv.capsys, srv.day, srv.locks = root, monkeypatch, capsys, 0, []
    srv.site, srv.clock = FakeSite(str(root)), FakeClock()
    monkeypatch.setattr(agent, "probe", srv.site.probe)
    monkeypatch.setattr(agent, "gate", functools.partial(agent.gate, probe=srv.site.probe, clock=srv.clock,
                                                         sleep=srv.clock.sleep))
    monkeypatch.setattr(agent, "_RUNNER", {"connected": True})
    result(srv.deploy("1.0", shared_paths=["instance", "media/uploads"], wsgi="# the app's wsgi\n")[1])
    modes = {p: oct(os.lstat(root / p).st_mode & 0o7777) for p in (
        "releases", "shared", "shared/instance", "shared/media", "shared/media/uploads", "application.wsgi",
        ".deploy.lock")}
    assert modes == {"releases": "0o755", "shared": "0o2750", "shared/instance": "0o2770", "shared/media": "0o2770",
                     "shared/media/uploads": "0o2770", "application.wsgi": "0o644", ".deploy.lock": "0o600"}
    assert (root / "application.wsgi").read_text() == "# the app's wsgi\n"
    assert {os.lstat(root / p).st_gid for p in modes} == {root.stat().st_gid}
    result(srv.deploy("2.0", shared_paths=["instance", "media/uploads"], wsgi="# changed\n")[1])
    assert (root / "application.wsgi").read_text() == "# changed\n"


def test_the_first_deploy_never_follows_a_link_the_app_user_put_in_a_data_folder(srv, tmp_path):
    """attack6 #5: the app user may write in a data folder; a link it put where a nested shared path is made was
    followed, so the deploy login made a directory where the app user chose. Each directory above a name is opened
    without following a link: refused in one line, nothing made there."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (srv.root / "shared" / "data").mkdir()
    os.symlink(elsewhere, srv.root / "shared" / "data" / "cache")
    err = error(srv.deploy("1.0", shared_paths=["data/cache/thumbs"])[1])
    assert err["what"].startswith("%s/shared/data/cache: not a directory this login may walk" % srv.root), err
    assert os.listdir(elsewhere) == []


def test_an_unwritable_data_folder_is_named_with_its_owner_and_mode(tmp_path):
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "shared" / "data").chmod(0o750)
    args = deploy_args(str(tmp_path), app_user="nobody", shared_paths=["data"])  # not its owner, not its group
    st = (tmp_path / "shared" / "data").stat()
    owner = "%s:%s" % (pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name)
    assert agent.unwritable_data_dirs(args) == ["%s/shared/data (owner %s, mode 0750)" % (tmp_path, owner)]
    (tmp_path / "shared" / "data").chmod(0o757)
    assert agent.unwritable_data_dirs(args) == []


def test_a_database_that_cannot_be_opened_in_post_deploy_names_the_instance_path(srv):
    (srv.root / "shared" / "instance").mkdir()  # the data folder is there and writable: the path must be wrong
    code, events = srv.deploy("1.0", shared_paths=["instance"], post_deploy=[
        "python -c 'import sqlite3; sqlite3.connect(\"%s/missing/app.sqlite\")'" % srv.root])
    err = error(events)
    assert err["step"] == "post_deploy" and "unable to open database file" in err["what"]
    assert "if it lies in the app's instance folder, that is under %s/releases/" % srv.root in err["hint"]
    assert 'instance_path=os.path.abspath("instance")' in err["hint"] and "shared_paths" not in err["hint"]
    assert err["hint"].endswith("in the config file (config_file in deploy.toml)"), err["hint"]


PY_CONFIG = APP.replace("        CONFIG = f.read()\n", "        CONFIG = f.read()\n"
                        "    exec(compile(CONFIG, os.environ['APP_CONFIG'], 'exec'), {})  # as Flask's from_pyfile\n")


def test_an_error_in_the_config_is_named_at_its_line_not_blamed_on_the_app(srv):
    """Class: a refusal that blames the app for an error in the servers' config. A flaskr config with an unquoted
    value (``DATABASE = /var/www/...``) was refused with "SyntaxError: invalid syntax. Hint: ... fix the app and
    deploy again". Other member: a name the config uses that it does not define (NameError at its line)."""
    live = result(srv.deploy("1.0", config=b"A = 1\n", source=PY_CONFIG)[1])["release_id"]
    for bad, line in ((b"A = 1\nDATABASE = /var/www/app/x\n", 2), (b"A = 1\n\nB = A + C\n", 3)):
        err = error(srv.deploy("2.0", config=bad, source=PY_CONFIG)[1])
        assert err["step"] == "import" and ("SyntaxError" in err["what"] or "NameError" in err["what"]), err
        assert ("the error is in the app's config, line %d of the config file installed as %s/shared/app.cfg: fix "
                "it in config_file (deploy.toml, or the target's in targets.toml)" % (line, srv.root)) in err["hint"]
        assert "fix the app" not in err["hint"] and srv.live() == live, err["hint"]


@pytest.mark.parametrize("output", [["PermissionError: [Errno 13] Permission denied: '/srv/app/shared/x'"],
                                    ["/srv/app/releases/r1/venv/var"], ["sqlite3.OperationalError: locked"]])
def test_instance_hint_only_for_the_venv_or_an_unopenable_database(output):
    args = deploy_args("/srv/app")
    assert agent.instance_hint(args, "/srv/app/releases/r1", output) is None
    named = ["PermissionError: [Errno 13] Permission denied: '/srv/app/releases/r1/venv/var'"]
    hint = agent.instance_hint(args, "/srv/app/releases/r1", named)
    assert "instance path is under /srv/app/releases/r1/venv/var/" in hint
    # the app itself wrote there (makedirs(app.instance_path)): a DATABASE in the config would not help
    assert 'instance_path=os.path.abspath("instance")' in hint and "DATABASE" not in hint, hint


@pytest.mark.parametrize("hint, ran, expected", [
    ("the live release was not touched; fix it", False, "the live release was not touched; fix it"),
    ("the live release was not touched; fix it", True, "the live release still serves, but NOTE; fix it"),
    ("see the log", True, "see the log; NOTE"),
    ("", True, "NOTE"),
    ("x; NOTE", True, "x; NOTE"),  # said once, whichever step added it
])
def test_refused_hint_is_honest_about_post_deploy(hint, ran, expected):
    note = agent.post_deploy_note("/srv/app")
    assert agent.refused_hint(hint.replace("NOTE", note), ran, "/srv/app") == expected.replace("NOTE", note)


def test_a_gate_failure_after_the_switch_switches_back_and_removes_the_release(srv):
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    args, payload = srv.deploy_args("2.0", gate_timeout=2)
    srv.site.status[args.release_id] = 500  # the release check passes in-process, the site answers 500
    code, events = srv.run("deploy", args, payload)
    err = error(events)
    assert code == 3 and err["step"] == "gate"
    assert err["what"] == ("release %s refused: health gate failed after 2s (41 attempts): HTTP 500 from release %s; "
                           "switched back to %s (serving)" % (args.release_id, args.release_id, v1))
    assert steps(events)[-3:] == ["switch", "gate", "switch_back"] and srv.live() == v1
    assert srv.releases() == [v1, "failed.log"] and srv.clock.now >= 2  # the fake clock: no real wait


def test_a_first_release_failing_the_gate_leaves_nothing_live(srv):
    srv.site.down = True
    _, events = srv.deploy("1.0")
    err = error(events)
    assert "health gate failed" in err["what"] and "ConnectionRefusedError" in err["what"]
    assert srv.live() is None and not (srv.root / "current").exists()
    assert "health_timeout" not in err["hint"]  # nothing answers: not a slow start


def test_a_release_still_starting_at_the_gates_bound_names_health_timeout(srv):
    # an app whose daemons import it longer than the bound: each GET times out; the deploy switches back, and the
    # hint names the setting that gives it longer (it had none: the bound was a fixed 30 s)
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    args, payload = srv.deploy_args("2.0", gate_timeout=2)
    srv.site.starting.add(args.release_id)
    _, events = srv.run("deploy", args, payload)
    err = error(events)
    assert err["step"] == "gate" and "TimeoutError: no complete answer within 5s" in err["what"], err
    assert "an app that takes longer than 2s to start answering (its daemons import it anew) needs a higher " \
           "health_timeout in deploy.toml (seconds, at most 600)" in err["hint"], err["hint"]
    assert srv.live() == v1


def test_a_release_refused_when_the_one_before_does_not_answer_either_points_at_the_server(srv):
    """Class: a hint drawn from the new release alone when the server is what fails. The app's mod_wsgi daemons
    stopped (kill -STOP) on one host of three: the new release's gate timed out, the switch back's too, and the
    hint asked for a higher health_timeout for a slow app. When the release it replaced does not answer either,
    the hint says to look at the server."""
    srv.monkeypatch.setattr(agent, "load_average", lambda: (0.4, 2))  # hermetic: not the runner's own load
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    args, payload = srv.deploy_args("2.0", gate_timeout=2)
    srv.site.starting.update({v1, args.release_id})  # nothing answers within the probe's bound, whatever serves
    _, events = srv.run("deploy", args, payload)
    err = error(events)
    assert err["step"] == "gate" and "switched back to %s (NOT serving: TimeoutError" % v1 in err["what"], err
    assert "health_timeout" not in err["hint"] and err["hint"].startswith(
        "the release it replaced does not answer either: look at the server first"), err["hint"]
    assert srv.live() == v1


def test_neither_release_answering_on_a_busy_server_names_its_load_and_health_timeout(srv):
    """Class: a slow host told it is broken. A config-only Django deploy on a server at load 140 on 2 CPUs: both
    releases' daemons took longer than 30 s to import Django, and the hint said only "Apache or the app's daemons
    stopped, hung or out of memory". On a server that busy the hint also names its load and health_timeout."""
    srv.monkeypatch.setattr(agent, "load_average", lambda: (140.2, 2))
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    args, payload = srv.deploy_args("2.0", gate_timeout=2)
    srv.site.starting.update({v1, args.release_id})
    err = error(srv.run("deploy", args, payload)[1])
    assert ("test_apache_running names a stopped process; or too busy to answer: its load average is 140.2 on 2 "
            "CPUs, and daemons importing the app anew there need longer than 2s: deploy when it is quieter, or raise "
            "health_timeout in deploy.toml (seconds, at most 600)), then deploy again") in err["hint"], err["hint"]
    assert srv.live() == v1


def test_a_deploy_that_died_after_switching_is_finished_by_the_next(srv):
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    args, payload = srv.deploy_args("2.0")
    v2 = result(srv.run("deploy", args, payload)[1])["release_id"]
    srv.site.serve_until_reload(v1)  # current names v2, the daemon still serves v1: no reload happened
    _, events = srv.run("deploy", args.replace(resume=True), b"")  # (the runner sends the artifact when asked)
    res = result(events)
    assert (res["changed"], res["release_id"], res["previous"]) == (True, v2, v1)
    assert steps(events) == ["lock", "switch", "gate"] and srv.site.serving() == v2


def test_leftovers_of_a_killed_deploy_are_recovered(srv):
    (srv.root / "releases" / "20250101T000000Z-deadbeef" / "venv").mkdir(parents=True)
    res = result(srv.deploy("1.0")[1])
    assert res["recovered"] == ["20250101T000000Z-deadbeef"] and srv.releases() == [res["release_id"]]


def test_a_held_lock_fails_naming_its_holder(srv):
    fd = os.open(srv.root / ".deploy.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        agent.write_lock_owner(fd, {"pid": 7, "user": "other", "by": "ci@runner", "release": "r9", "since": "t"})
        _, events = srv.deploy("1.0", lock_timeout=0)
    finally:
        os.close(fd)
    err = error(events)
    assert err["step"] == "lock" and "pid=7 user=other by=ci@runner release=r9" in err["what"]
    assert [e["step"] for e in events if e["event"] == "step"] == ["lock_wait"]


def test_a_damaged_artifact_is_refused_and_removed(srv):
    args, payload = srv.deploy_args("1.0")
    _, events = srv.run("deploy", args, payload[:-10])
    err = error(events)
    assert err["step"] == "upload" and "artifact arrived damaged (10 bytes missing" in err["what"]
    assert srv.releases() == ["failed.log"]


def test_a_deploy_into_a_tree_without_bootstrap_says_so(srv, tmp_path):
    code, events = srv.run("deploy", srv.deploy_args("1.0")[0].__class__(
        **dict(srv.deploy_args("1.0")[0].to_dict(), root=str(tmp_path / "nothing"))))
    assert code == 3 and "releases is missing or not writable" in error(events)["what"]


def test_pause_points_give_up_by_themselves(srv):
    _, events = srv.deploy("1.0", pause_at="install", pause_seconds=0)
    err = error(events)
    assert err["what"] == "paused at install for 0s and nobody interrupted it" and err["step"] == "install"
    assert steps(events)[-1] == "paused:install" and srv.releases() == ["failed.log"]


# ---------------------------------------------------------------- the config: the deploy login's own file, no sudo

def config_of(srv) -> bytes:
    return (srv.root / "shared" / "app.cfg").read_bytes()


def test_a_changed_config_alone_makes_a_new_release_started_with_it(srv):
    first = result(srv.deploy("1.0", config=b"A=1\n")[1])
    assert config_of(srv) == b"A=1\n" and oct((srv.root / "shared" / "app.cfg").stat().st_mode & 0o777) == "0o640"
    args, payload = srv.deploy_args("1.0", config=b"A=2\n")  # same artifact as v1 (same version)
    _, events = srv.run("deploy", args, payload)
    res = result(events)
    assert res["changed"] and res["config_changed"] and res["previous"] == first["release_id"]
    assert config_of(srv) == b"A=2\n" and "config" in steps(events)
    meta = json.loads((srv.root / "releases" / res["release_id"] / "RELEASE.json").read_text())
    assert meta["config_sha256"] == hashlib.sha256(b"A=2\n").hexdigest()
    kept = sorted(os.listdir(srv.root / agent.CONFIGS))  # the deploy login's copies, for rollbacks
    assert kept == sorted(hashlib.sha256(c).hexdigest() for c in (b"A=1\n", b"A=2\n"))
    assert oct((srv.root / agent.CONFIGS).stat().st_mode & 0o777) == "0o700"
    # the same config again: nothing to do
    args, payload = srv.deploy_args("1.0", config=b"A=2\n")
    assert result(srv.run("deploy", args, payload)[1])["changed"] is False


def test_a_refused_release_puts_the_previous_config_back(srv):
    """Seen live: the config put back after a release refused before its switch is a file changed after the
    live daemons started, and the read-only gate right after said so (test_daemons_run_what_is_on_disk: "changed
    at 22:39:12, after the app's mod_wsgi daemon 436 started"); a daemon that restarted meanwhile even ran the
    refused config. The live release is reloaded (application.wsgi touched after the put-back) and gated."""
    result(srv.deploy("1.0", config=b"A=1\n")[1])
    err = error(srv.deploy("2.0", health="500 BOOM", config=b"A=2\n")[1])
    assert err["hint"].endswith("; the previous config was put back; the live release's daemons were reloaded to "
                                "run it"), err
    assert config_of(srv) == b"A=1\n"
    wsgi = next(p for p in srv.root.rglob("*.wsgi") if p.is_file())
    assert wsgi.stat().st_mtime_ns >= (srv.root / "shared" / "app.cfg").stat().st_ctime_ns


def test_a_refused_first_release_leaves_no_config_and_says_nothing_was_live(srv):
    """Issue 18.1: a first deploy has no live release to "still serve"; its refused config is taken out."""
    err = error(srv.deploy("1.0", health="500 BOOM", config=b"A=1\n")[1])
    assert not (srv.root / "shared" / "app.cfg").exists()
    assert "nothing was live yet" in err["hint"] and "live release" not in err["hint"], err["hint"]
    # a message saying something happened that did not: there was no previous config to put back (flaskr's first
    # deploy said "the previous config was put back"); the hint says what was done with the one installed
    assert "previous config" not in err["hint"] and err["hint"].endswith(
        "; the config installed for it was removed (none was there before)"), err["hint"]


def test_an_app_without_a_config_deploys_and_keeps_none(srv):
    """Issue 18.2: the config is optional."""
    res = result(srv.deploy("1.0")[1])
    assert res["changed"] and not res["config_changed"] and not (srv.root / "shared" / "app.cfg").exists()


def test_rollback_puts_back_the_config_its_release_started_with(srv):
    v1 = result(srv.deploy("1.0", config=b"A=1\n")[1])["release_id"]
    v2 = result(srv.deploy("2.0", config=b"A=2\n")[1])["release_id"]
    _, events = srv.run("rollback", rollback_args(str(srv.root)))
    res = result(events)
    assert (res["release_id"], res["previous"], res["config_changed"]) == (v1, v2, True)
    assert config_of(srv) == b"A=1\n"


def test_a_rollback_whose_config_is_gone_refuses_and_touches_nothing(srv):
    """Class: a part of a rollback target the rollback puts back, gone (blind4's c30: ``.configs`` cleaned up, the
    rollback ran the old code with the newer config and said ok). Refused, in one line; nothing changes."""
    result(srv.deploy("1.0", config=b"A=1\n")[1])
    v2 = result(srv.deploy("2.0", config=b"A=2\n")[1])["release_id"]
    os.unlink(srv.root / agent.CONFIGS / hashlib.sha256(b"A=1\n").hexdigest())
    err = error(srv.run("rollback", rollback_args(str(srv.root)))[1])
    assert err["step"] == "config" and "is gone from" in err["what"] and "a pairing never deployed" in err["what"]
    assert "deploy version 1.0 with its config instead" in err["hint"], err["hint"]
    assert config_of(srv) == b"A=2\n" and os.readlink(srv.root / "current").endswith(v2)
    (srv.root / agent.CONFIGS / hashlib.sha256(b"A=1\n").hexdigest()).write_bytes(b"A=3\n")  # changed: the same
    assert "is gone from" in error(srv.run("rollback", rollback_args(str(srv.root)))[1])["what"]


def test_configs_are_kept_while_a_kept_release_started_with_them_never_by_count(srv):
    """Refused deploys' configs never push a kept release's out (they went by count: the newest 10), and a
    pruned release's config goes with it."""
    v1 = result(srv.deploy("1.0", config=b"A=1\n")[1])["release_id"]
    result(srv.deploy("2.0", config=b"A=2\n")[1])
    for n in range(12):
        error(srv.deploy("3.0", health="500 BOOM", config=b"B=%d\n" % n)[1])
    _, events = srv.run("rollback", rollback_args(str(srv.root)))
    assert (result(events)["release_id"], result(events)["config_changed"]) == (v1, True) and \
        config_of(srv) == b"A=1\n"
    for n in range(3, 6):  # v1 and its config pruned; the refused ones' configs with them
        result(srv.deploy("%d.0" % n, config=b"C=%d\n" % n, keep_releases=2)[1])
    kept = sorted(os.listdir(srv.root / agent.CONFIGS))
    assert kept == sorted({json.loads((srv.root / "releases" / r / "RELEASE.json").read_text())["config_sha256"]
                           for r in srv.releases() if r != "failed.log"}) and len(kept) == 2, kept


def test_a_rollback_failing_its_gate_restores_the_live_config(srv):
    v1 = result(srv.deploy("1.0", config=b"A=1\n")[1])["release_id"]
    v2 = result(srv.deploy("2.0", config=b"A=2\n")[1])["release_id"]
    srv.site.status[v1] = 500
    err = error(srv.run("rollback", rollback_args(str(srv.root)))[1])
    assert "switched back to %s (serving)" % v2 in err["what"]
    assert "the live release's config was put back" in err["hint"] and config_of(srv) == b"A=2\n"
    # a rollback removes nothing: its target is still there, and the message does not say otherwise
    assert "removed" not in err["hint"] and (srv.root / "releases" / v1 / "RELEASE.json").is_file(), err["hint"]


KEYED = APP + """
class Signed:  # a Flask-shaped app (url_map, config) signing with its config's key
    url_map, config = {}, {"SECRET_KEY": globals().get("CONFIG", "")}
    def __call__(self, environ, start_response):
        return app(environ, start_response)
signed = Signed()
"""


@pytest.mark.parametrize("fault", ["key", "unread"])
def test_a_rollback_to_a_release_the_deploy_check_would_refuse_is_refused_before_its_switch(srv, fault):
    """Class: a check the deploy makes on its release that a rollback to a kept release skipped. A release
    deployed before the signing-key check (an older deploytests) signing with ``SECRET_KEY = "dev"`` in its code
    was made live again by ``fab rollback``, and the read-only gate, which does not import the app, passed it.
    The rollback imports its target first, with its own entry point, env and config: refused in one line naming
    the release, nothing switched, the live config put back. Other member: a kept release that never opens the
    config it started with."""
    srv.monkeypatch.setattr(agent, "serving", lambda args: None)
    v1 = result(srv.deploy("1.0", config=b"A=1\n", source=KEYED, entry_point="app:signed" if fault == "key"
                           else "app:app")[1])["release_id"]
    module = srv.root / "releases" / v1 / "venv" / "lib" / ("python%s" % HERE) / "site-packages" / "app.py"
    text = module.read_text()
    module.write_text(text.replace('globals().get("CONFIG", "")', '"dev"') if fault == "key" else  # as deployed before
                      text.replace('os.environ.get("APP_CONFIG", "")', '""'))  # the checks existed
    v2 = result(srv.deploy("2.0", config=b"A=2\n")[1])["release_id"]
    err = error(srv.run("rollback", rollback_args(str(srv.root)))[1])
    assert err["step"] == "import" and err["what"].startswith("the release to roll back to (%s) " % v1), err
    assert ("signs with a SECRET_KEY written in its own code (app.py:" if fault == "key" else
            "does not read its config") in err["what"], err["what"]
    assert "roll back to another release (fab rollback --to ID" in err["hint"], err["hint"]
    assert srv.live() == v2 and config_of(srv) == b"A=2\n"


DEBUGGING = APP + """
class Debugging:  # a Flask-shaped app (url_map, config) whose config leaves DEBUG on
    url_map, config = {}, {"DEBUG": "DEBUG = True" in globals().get("CONFIG", "")}
    def __call__(self, environ, start_response):
        return app(environ, start_response)
debugging = Debugging()
"""


def test_a_release_in_debug_mode_is_refused_naming_the_setting_and_the_live_one_serves(srv):
    """Class: the app served in its framework's development mode. A config-only change turning DEBUG on (error
    pages with tracebacks and settings for anyone) is refused at import, in one line, before post_deploy; the
    live release keeps serving; the same code with DEBUG off deploys."""
    v1 = result(srv.deploy("1.0", config=b"DEBUG = False\n", source=DEBUGGING, entry_point="app:debugging")[1])
    code, events = srv.deploy("1.0", config=b"DEBUG = True\n", source=DEBUGGING, entry_point="app:debugging",
                              post_deploy=["touch ran"])
    err = error(events)
    assert code != 0 and err["step"] == "import", err
    assert err["what"] == ("the new release runs in debug mode: DEBUG is on (Flask's config): its error pages show "
                           "tracebacks, local variables and settings to anyone, and its framework's deployment docs "
                           "say never to serve it"), err["what"]
    assert "set DEBUG in the config file (config_file in deploy.toml) to False" in err["hint"], err["hint"]
    assert srv.live() == v1["release_id"] and not list(srv.root.glob("releases/*/ran"))


def test_a_touch_taken_in_by_a_daemon_still_loading_is_made_again(srv):
    """Class: a reload signal taken in while the daemons load (a lost reload). mod_wsgi preloads application.wsgi
    when a daemon starts and takes the file's mtime after the load: a switch and touch made while a daemon was
    still importing the release ``current`` named before is that load's own, and the daemon serves the old release
    until the next touch. The gate touches again (backing off) while another release answers: the rollback
    serves its target, and so does a deploy made while the daemons load."""
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    v2 = result(srv.deploy("2.0")[1])["release_id"]
    srv.site.serve_until_reload(v2, loading=True)  # Apache restarted its daemons: they are loading v2
    res = result(srv.run("rollback", rollback_args(str(srv.root), gate_timeout=5))[1])
    assert (res["release_id"], srv.site.serving()) == (v1, v1)
    srv.site.serve_until_reload(v1, loading=True)
    v3 = result(srv.deploy("3.0", gate_timeout=5)[1])["release_id"]
    assert srv.site.serving() == v3 and srv.live() == v3


def test_a_config_in_a_data_folder_leaves_the_folder_as_it_was(srv):
    """Issue 18.1: Flask's instance folder as a shared path, config.py inside it, SQLite next to it: the config
    install never changes the owner or mode of a directory it did not make for the config alone."""
    instance = srv.root / "shared" / "instance"
    instance.mkdir()
    instance.chmod(0o2770)
    (instance / "app.sqlite").write_bytes(b"data")
    path = str(instance / "config.py")
    res = result(srv.deploy("1.0", config=b"SECRET_KEY = 'x'\n", shared_paths=["instance"], config_path=path)[1])
    assert res["config_changed"] and (instance / "config.py").read_bytes() == b"SECRET_KEY = 'x'\n"
    assert oct(instance.stat().st_mode & 0o7777) == "0o2770" and (instance / "app.sqlite").read_bytes() == b"data"
    # a directory made for the config alone: 0750 (inherits the group of shared/)
    deeper = str(srv.root / "shared" / "conf" / "app.cfg")
    result(srv.deploy("2.0", config=b"A=1\n", config_path=deeper)[1])
    assert oct((srv.root / "shared" / "conf").stat().st_mode & 0o777) == "0o750"


def test_a_link_planted_where_the_config_goes_is_replaced_never_followed(srv, tmp_path):
    """The app user may write in a data folder: a link it plants at the config's name or directory is never
    followed by the deploy login (no write through it, no read of its target as the "previous" config)."""
    target = tmp_path / "deployers-own-file"
    target.write_text("private")
    instance = srv.root / "shared" / "instance"
    instance.mkdir()
    os.symlink(target, instance / "config.py")
    result(srv.deploy("1.0", config=b"A=1\n", shared_paths=["instance"], config_path=str(instance / "config.py"))[1])
    assert target.read_text() == "private" and not (instance / "config.py").is_symlink()
    os.symlink(tmp_path, srv.root / "shared" / "linked")
    err = error(srv.deploy("2.0", config=b"A=2\n", config_path=str(srv.root / "shared" / "linked" / "x.cfg"))[1])
    assert err["step"] == "config" and "refusing %s/shared/linked" % srv.root in err["what"], err
    assert not (tmp_path / "x.cfg").exists()


# ---------------------------------------------------------------- rollback and status

def test_rollback_switches_to_the_previous_release_then_to_a_named_one(srv):
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    v2 = result(srv.deploy("2.0")[1])["release_id"]
    code, events = srv.run("rollback", rollback_args(str(srv.root)))
    res = result(events)
    assert code == 0 and (res["changed"], res["release_id"], res["previous"]) == (True, v1, v2)
    assert steps(events) == ["lock", "import", "switch", "gate"] and srv.site.serving() == v1
    assert result(srv.run("rollback", rollback_args(str(srv.root), to=v2))[1])["release_id"] == v2
    same = result(srv.run("rollback", rollback_args(str(srv.root), to=v2))[1])
    assert (same["changed"], same["release_id"]) == (False, v2)


def _deploy_gated_on(srv, version, path, **overrides):
    """A deploy of ``version`` with deploy.toml's ``health_path = path`` (recorded in its RELEASE.json's settings)."""
    args, payload = srv.deploy_args(version, health_path=path, preflight=False, **overrides)  # (the app: /health)
    args = args.replace(release=dict(args.release, settings={"health_path": path}))
    return srv.run("deploy", args, payload)


def test_a_kept_release_is_gated_on_the_health_path_it_was_deployed_with(srv):
    """Class: a kept release checked with the runner's current settings instead of the ones it was deployed
    with. v1 answered on /; v2 added /health and deploy.toml now names it: a rollback to v1, the switch back to
    a kept release after a refused deploy, and the reload of the live release after a release refused before its
    switch (its config put back: "NOT serving: HTTP 404") GET what that release serves, never deploy.toml's path
    of today."""
    v1 = result(_deploy_gated_on(srv, "1.0", "/")[1])["release_id"]
    v2 = result(_deploy_gated_on(srv, "2.0", "/health")[1])["release_id"]
    srv.site.requests.clear()
    code, events = srv.run("rollback", rollback_args(str(srv.root), health_path="/health"))
    assert code == 0 and result(events)["release_id"] == v1, events
    assert {path for _, path, _ in srv.site.requests} == {"/"}, srv.site.requests
    assert [e["message"] for e in events if e.get("step") == "gate"] == ["GET / until X-Deploy-Release: %s" % v1]
    assert result(srv.run("rollback", rollback_args(str(srv.root), to=v2, health_path="/"))[1])["release_id"] == v2
    srv.site.requests.clear()  # now a deploy refused by its HTTP gate switches back to v2, gated on /health
    args, payload = srv.deploy_args("3.0", health_path="/", preflight=False)
    srv.site.status[args.release_id] = 500  # (the agent keeps the wanted id: no clash)
    err = error(srv.run("deploy", args.replace(release=dict(args.release, settings={"health_path": "/"})), payload)[1])
    assert "switched back to %s (serving)" % v2 in err["what"], err
    assert [path for _, path, _ in srv.site.requests][-1] == "/health", srv.site.requests
    # the live release reloaded after a release refused before its switch (its config installed, then put back)
    srv.site.requests.clear()
    args, payload = srv.deploy_args("4.0", health_path="/elsewhere", config=b"A=4\n")  # the app: 404 there
    err = error(srv.run("deploy", args, payload)[1])
    assert err["hint"].endswith("the live release's daemons were reloaded to run it"), err["hint"]
    assert {path for _, path, _ in srv.site.requests} == {"/health"}, srv.site.requests
    # a record that is no path (written by hand) is not sent in a request line: deploy.toml's path is
    (srv.root / "releases" / v2 / "RELEASE.json").write_text(json.dumps({"settings": {"health_path": "/x\r\nX: 1"}}))
    assert agent.health_path_of(agent.Tree(str(srv.root)), v2, "/health") == "/health"


def test_rollback_goes_to_what_was_live_not_to_a_release_rolled_back_from(srv):
    """Class: the rollback target taken from the releases' names, not from what was live. v2 was rolled back
    (broken), v3 deployed over v1: the deploy said "previous v1", and a rollback must bring v1 back, not v2."""
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    result(srv.deploy("2.0")[1])
    assert result(srv.run("rollback", rollback_args(str(srv.root)))[1])["release_id"] == v1
    v3 = result(srv.deploy("3.0")[1])
    assert v3["previous"] == v1
    back = result(srv.run("rollback", rollback_args(str(srv.root)))[1])
    assert (back["release_id"], back["previous"], srv.site.serving()) == (v1, v3["release_id"], v1)
    # a release whose record names none (made before it was recorded), or one since pruned: the newest older
    assert agent.previous_of(["a", "b", "c"], "c", None) == "b" and agent.previous_of(["b", "c"], "c", "a") == "b"


def test_rollback_refuses_an_unknown_release_and_a_first_release(srv):
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    err = error(srv.run("rollback", rollback_args(str(srv.root)))[1])
    assert err["what"] == "no release older than the live one (%s) to roll back to" % v1
    err = error(srv.run("rollback", rollback_args(str(srv.root), to="nope"))[1])
    assert err["what"] == "no release 'nope'; releases: %s" % v1 and "fab status" in err["hint"]


def test_status_lists_releases_and_names_a_dangling_current(srv):
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    res = StatusReply.from_dict(result(srv.run("status", StatusArgs(root=str(srv.root)))[1]), ignore=("event",))
    assert res.live == v1 and res.dangling is None and res.bootstrapped
    assert [(r["id"], r["version"]) for r in res.releases] == [(v1, "1.0")] and "manifest" not in res.releases[0]
    os.unlink(srv.root / "current")
    os.symlink("releases/20990101T000000Z-gone", srv.root / "current")
    res = StatusReply.from_dict(result(srv.run("status", StatusArgs(root=str(srv.root)))[1]), ignore=("event",))
    assert (res.live, res.dangling) == (None, "releases/20990101T000000Z-gone")
    res = result(srv.run("status", StatusArgs(root=str(srv.root / "none")))[1])
    assert (res["live"], res["releases"], res["bootstrapped"]) == (None, [], False)



def test_status_and_rollback_carry_only_bounded_strings_of_what_the_deploy_login_wrote(srv):
    """attack5 #7 (class: nesting bounded where the file is parsed, not where it is used): a RELEASE.json nested
    700 levels parses (json.loads stops near 1000), but the status agent's reply (dataclasses.asdict) recursed
    past the limit: 'agent crashed'. Status now sends only the fields it shows, as strings cut to FIELD_MAX; a
    RELEASE.json nested deeper than JSON_DEPTH is no deploy's record (read as empty); rollback's reply the same."""
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    v2 = result(srv.deploy("2.0")[1])["release_id"]
    path = srv.root / "releases" / v2 / "RELEASE.json"
    meta = json.loads(path.read_text())
    path.write_text(json.dumps(dict(meta, x=json.loads("[" * 700 + "]" * 700))))
    code, events = srv.run("status", StatusArgs(root=str(srv.root)))
    res = StatusReply.from_dict(result(events), ignore=("event",))
    assert code == 0 and [r["id"] for r in res.releases] == [v1, v2] and res.releases[1] == {"id": v2}
    path.write_text(json.dumps(dict(meta, version={"a": [1, 2]}, deployed_by="x" * 10000, x=[[[[1]]]])))
    res = StatusReply.from_dict(result(srv.run("status", StatusArgs(root=str(srv.root)))[1]), ignore=("event",))
    assert res.releases[1]["version"] == '{"a": [1, 2]}' and res.releases[1]["deployed_by"] == "x" * agent.FIELD_MAX
    assert set(res.releases[1]) <= {"id", *agent.SHOWN} and "x" not in res.releases[1]  # nothing else crosses
    path.write_text(json.dumps(dict(meta, version=[["2.0"]])))
    back = result(srv.run("rollback", rollback_args(str(srv.root), to=v1))[1])
    assert back["release_id"] == v1
    again = result(srv.run("rollback", rollback_args(str(srv.root), to=v2))[1])
    assert again["version"] == '[["2.0"]]'


def test_status_follows_no_link_the_deploy_login_planted_in_the_release_tree(srv, tmp_path):
    """``status`` may run as an admin: a ``releases/<id>`` link to a directory of the admin's made it read the
    JSON file there. Class: a more trusted reader following a name a less trusted one made. The releases
    directory and each release are opened with ``O_DIRECTORY|O_NOFOLLOW``, ``RELEASE.json`` relative to them."""
    from deploytests.pipeline.agent import Tree

    v1 = result(srv.deploy("1.0")[1])["release_id"]
    secret = tmp_path / "admin-only"
    secret.mkdir()
    (secret / "RELEASE.json").write_text(json.dumps({"id": "x", "version": "admin's secret"}))
    os.symlink(secret, srv.root / "releases" / "20990101T000000Z-planted")
    tree = Tree(str(srv.root))
    assert tree.listing() == [v1] and tree.meta("20990101T000000Z-planted") == {}
    res = StatusReply.from_dict(result(srv.run("status", StatusArgs(root=str(srv.root)))[1]), ignore=("event",))
    assert [r["id"] for r in res.releases] == [v1]


# ---------------------------------------------------------------- the contract at the agent's door

@pytest.mark.parametrize("mangle, message", [
    (lambda d: dict(d, bogus=1), "agent arguments: DeployArgs: unknown field 'bogus'"),
    (lambda d: {k: v for k, v in d.items() if k != "root"}, "agent arguments: DeployArgs: missing field 'root'"),
    (lambda d: dict(d, keep_releases="3"), "agent arguments: DeployArgs.keep_releases: expected int, got str \"3\""),
    (lambda d: dict(d, post_deploy=["ok", 1]),
     "agent arguments: DeployArgs.post_deploy: item 1: expected str, got int 1"),
])
def test_bad_arguments_are_refused_in_one_line_before_anything_is_done(srv, mangle, message):
    args, payload = srv.deploy_args("1.0")
    code, events = srv.run("deploy", json.dumps(mangle(args.to_dict())), payload)
    assert code == 3 and error(events)["what"] == message and events == [events[-1]]
    assert srv.releases() == [] and "the runner and this agent come from one deploytests version" in events[-1]["hint"]


def test_an_unknown_command_and_a_crash_are_one_error_event(srv, monkeypatch):
    code, events = srv.run("destroy", "{}")
    assert code == 3 and error(events)["what"].startswith("unknown command 'destroy'")

    def boom(args):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(agent.COMMANDS, "status", (boom,) + agent.COMMANDS["status"][1:])
    code, events = srv.run("status", StatusArgs(root=str(srv.root)))
    err = error(events)
    assert code == 4 and err["what"] == "agent crashed: RuntimeError: disk on fire" and "Traceback" in err["detail"]


def test_the_runner_builds_and_reads_the_same_contract(srv):
    """releases.deploy_args -> JSON -> agent -> result event -> releases' DeployResult: one round trip."""
    import datetime as dt

    from deploytests.config import load_config
    from deploytests.examples import APPS
    from deploytests.pipeline.artifact import Artifact

    cfg = load_config(APPS / "yourapplication")
    data = artifact("1.0")
    art = Artifact(path=Path("/unused"), app="app", name="app", version="1.0", sha256=hashlib.sha256(data).hexdigest(),
                   size=len(data), python_version=HERE, manifest={})
    args = releases.deploy_args(cfg, art, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), lock_timeout=1,
                                gate_timeout=1)
    args = args.replace(root=str(srv.root), app_user=srv.deploy_args("x")[0].app_user, entry_point="app:app",
                        post_deploy=[], python=sys.executable, health_path="/health")
    _, events = srv.run("deploy", args, data)
    outcome = releases._result(type("C", (), {"label": "docker://web-1"})(), result(events), 0.0)
    assert outcome.changed and outcome.version == "1.0" and outcome.release_id == srv.live()
    assert outcome.host == "docker://web-1" and set(outcome.timings) >= {"lock", "switch", "gate"}


def test_a_config_that_cannot_be_installed_is_one_line_and_the_live_one_stays(srv, monkeypatch):
    result(srv.deploy("1.0", config=b"A=1\n")[1])
    monkeypatch.setattr(agent, "keep_config", lambda args, data: (_ for _ in ()).throw(OSError(28, "No space left")))
    err = error(srv.deploy("2.0", config=b"A=2\n")[1])
    assert err["step"] == "config" and err["what"].startswith("installing the config at %s/shared/app.cfg failed: "
                                                               "[Errno 28] No space left" % srv.root), err
    assert config_of(srv) == b"A=1\n" and "the previous config was put back" in err["hint"]



def test_a_cut_upload_is_resumed_where_it_ended_and_checked_whole(srv):
    """A deploy whose connection is cut mid-upload keeps what arrived (``<root>/.uploads/<sha256>``); the next
    deploy of the same artifact is offered those bytes with their sha256, the runner sends the rest only, and
    the agent checks the whole artifact's sha256 against the runner's."""
    args, payload = srv.deploy_args("1.0")
    args = args.replace(resume=True)
    cut = len(payload) // 3
    _, events = srv.run("deploy", args, b"0\n" + payload[:cut])
    assert "(%d bytes kept: the next deploy of it resumes there)" % cut in error(events)["what"]
    kept = srv.root / ".uploads" / args.artifact_sha256
    assert kept.read_bytes() == payload[:cut]
    _, events = srv.run("deploy", args, b"%d\n" % cut + payload[cut:])
    [offer] = [e for e in events if e["event"] == "upload"]
    assert offer["offset"] == cut and offer["prefix_sha256"] == hashlib.sha256(payload[:cut]).hexdigest()
    assert result(events)["release_id"] == srv.live()
    assert [e["message"] for e in events if e.get("step") == "upload"] == [f"{len(payload)} bytes, resumed at {cut}"]
    assert kept.read_bytes() == payload  # the checked artifact stays, whole (the release's copy is unpacked, removed)


def test_a_second_release_of_the_same_artifact_receives_nothing(srv):
    """A config-only change (or a settings change, a redeploy after a rollback) makes a new release of the artifact
    the server already received: it was sent whole again (36 MB for a Django project, each time). Class: bytes
    the server holds, checked, sent again. The kept artifact is offered whole; the runner sends nothing after the
    offset; the agent checks the sha256 of what it kept. Another artifact replaces it (one kept at most)."""
    from deploytests.pipeline.remote import Resumable

    args, payload = srv.deploy_args("1.0")
    args = args.replace(resume=True)
    first = result(srv.run("deploy", args, b"0\n" + payload)[1])["release_id"]
    kept = srv.root / ".uploads" / args.artifact_sha256
    assert kept.read_bytes() == payload
    from deploytests.pipeline.releases import settings_digest

    settings = {"post_deploy": ["true"]}  # a settings change: a new release of the same artifact
    changed = args.replace(release=dict(args.release, settings=settings, settings_sha256=settings_digest(settings)))
    _, events = srv.run("deploy", changed, b"%d\n" % len(payload))
    [offer] = [e for e in events if e["event"] == "upload"]
    assert offer["offset"] == len(payload) and offer["prefix_sha256"] == args.artifact_sha256
    local = srv.root.parent / "artifact.tar"
    local.write_bytes(payload)
    assert Resumable(local, offer=offer).offset() == len(payload)  # the runner's side: send from the end
    second = result(events)["release_id"]
    assert second != first and second == srv.live(), events
    assert [e["message"] for e in events if e.get("step") == "upload"] == [
        f"{len(payload)} bytes, resumed at {len(payload)}"]
    other, payload2 = srv.deploy_args("2.0")
    result(srv.run("deploy", other.replace(resume=True), b"0\n" + payload2)[1])
    assert not kept.exists() and (srv.root / ".uploads" / other.artifact_sha256).read_bytes() == payload2


def test_a_damaged_kept_upload_is_sent_again_whole(srv, tmp_path):
    """Kept bytes that differ from the runner's (a changed first byte): the runner answers 0, the agent starts
    over, the deploy succeeds; a complete upload that does not hash right is removed, not kept for a resume."""
    from deploytests.pipeline.remote import Resumable

    args, payload = srv.deploy_args("1.0")
    args = args.replace(resume=True)
    cut = len(payload) // 2
    srv.run("deploy", args, b"0\n" + payload[:cut])
    kept = srv.root / ".uploads" / args.artifact_sha256
    kept.write_bytes(b"X" + payload[1:cut])
    local = tmp_path / "artifact.tar"
    local.write_bytes(payload)
    _, events = srv.run("deploy", args, b"0\n" + payload)
    [offer] = [e for e in events if e["event"] == "upload"]
    assert offer["offset"] == cut and Resumable(local, offer=offer).offset() == 0  # not the runner's bytes
    assert result(events)["release_id"] == srv.live()
    args, payload = srv.deploy_args("2.0")
    _, events = srv.run("deploy", args.replace(resume=True), b"0\n" + payload[:-1] + b"Y")
    assert "artifact arrived damaged (0 bytes missing" in error(events)["what"]
    assert not (srv.root / ".uploads" / args.artifact_sha256).exists()


def test_the_runner_sends_from_an_offer_only_when_its_own_bytes_match(tmp_path):
    from deploytests.pipeline.remote import Resumable

    local = tmp_path / "a"
    local.write_bytes(b"0123456789")
    good = hashlib.sha256(b"0123").hexdigest()
    assert Resumable(local, offer={"offset": 4, "prefix_sha256": good}).offset() == 4
    for offer in ({"offset": 4, "prefix_sha256": "0" * 64}, {"offset": 11, "prefix_sha256": good},
                  {"offset": -1, "prefix_sha256": good}, {"offset": "4", "prefix_sha256": good},
                  {"offset": True, "prefix_sha256": good}, {"offset": 4}, {}, None):
        assert Resumable(local, offer=offer).offset() == 0, offer


def test_a_release_refused_by_its_gate_puts_the_config_back_before_the_switch_back(srv):
    """The daemons restart at the switch back's reload: the config they load must be back by then, or they run the
    refused release's config, and the put-back changes what they loaded after they started (the gate's ctime
    check, attack5 #2's class: nothing the daemons load changes after they start)."""
    result(srv.deploy("1.0", config=b"A=1\n")[1])
    args, payload = srv.deploy_args("2.0", config=b"A=2\n", gate_timeout=2)
    srv.site.status[args.release_id] = 500  # the release check passes in-process, the site answers 500
    seen, reload = [], agent.Tree.reload
    srv.monkeypatch.setattr(agent.Tree, "reload", lambda tree: (seen.append(config_of(srv)), reload(tree)))
    err = error(srv.run("deploy", args, payload)[1])
    assert err["step"] == "gate" and seen == [b"A=2\n", b"A=1\n"] and config_of(srv) == b"A=1\n"
    assert err["hint"].count("the previous config was put back") == 1


def test_deploy_rollback_and_run_act_only_in_a_tree_of_the_login_running_them(srv, tmp_path):
    """attack5 #3 (class: an agent that changes the tree acts, by path, in a tree another user owns, its right
    decided by a permission that owner sets). The deploy login made releases/ 0777 and put a link at .deploy.lock
    naming an admin's authorized_keys; the admin's rollback truncated the file through it. Every command that
    writes in the tree or runs from it now refuses in one line unless its login owns the tree, before any path in
    it is opened."""
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    result(srv.deploy("2.0")[1])
    keys = tmp_path / "authorized_keys"
    keys.write_text("ssh-ed25519 AAAA admin\n")
    (srv.root / ".deploy.lock").unlink()
    (srv.root / ".deploy.lock").symlink_to(keys)
    (srv.root / "releases").chmod(0o777)
    owner = pwd.getpwuid(os.stat(srv.root).st_uid).pw_name
    other = next(p for p in pwd.getpwall() if p.pw_name != owner)  # another login of this machine (as the admin)
    srv.monkeypatch.setattr(agent.os, "getuid", lambda: other.pw_uid)
    run = RunArgs(**{k: v for k, v in rollback_args(str(srv.root)).to_dict().items()
                     if k not in ("to", "confirm_timeout")}, command="true")
    for command, args, payload in (("rollback", rollback_args(str(srv.root), to=v1), b""),
                                   ("deploy", *srv.deploy_args("3.0")), ("run", run, b"")):
        code, events = srv.run(command, args, payload)
        err = error(events)
        assert code == 3 and err["what"] == f"{srv.root} is {owner}'s, not {other.pw_name}'s: deploy, rollback " \
                                            f"and run act only in a tree of the login running them", err
        assert err["hint"].startswith(f"run it as {owner}, the deploy_user bootstrap gave the tree to")
    assert keys.read_text() == "ssh-ed25519 AAAA admin\n" and srv.live() != v1


def test_a_link_at_the_lock_is_refused_even_by_the_trees_owner(srv, tmp_path):
    """The lock is opened with O_NOFOLLOW relative to the root's fd: a link there is never written through."""
    result(srv.deploy("1.0")[1])
    other = tmp_path / "elsewhere"
    other.write_text("keep\n")
    (srv.root / ".deploy.lock").unlink()
    (srv.root / ".deploy.lock").symlink_to(other)
    err = error(srv.run("rollback", rollback_args(str(srv.root)))[1])
    assert err["step"] == "lock" and err["what"].startswith(f"cannot take the lock {srv.root}/.deploy.lock: ")
    assert other.read_text() == "keep\n"


def test_a_release_whose_runner_left_before_the_switch_never_goes_live(srv):
    """newuser5's F16: Ctrl-C twice during a long post_deploy; the runner left, reporting the host 'unknown (still
    running)', and the agent carried on and made the release live two minutes later, unseen by the runner's
    gate, the project's tests and its hooks. Class: a commit point reached without the party that verifies what
    it commits. The switch needs the runner's go; a rollback's too; once switched, the agent sees it through."""
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    srv.go = False
    err = error(srv.deploy("2.0")[1])
    assert err["step"] == "switch" and "the runner did not confirm the switch" in err["what"], err
    assert srv.live() == v1 and srv.releases() == sorted([v1, "failed.log"])
    srv.go = True
    v3 = result(srv.deploy("3.0")[1])["release_id"]
    srv.go = False
    assert error(srv.run("rollback", rollback_args(str(srv.root)))[1])["step"] == "switch" and srv.live() == v3


def test_a_runner_gone_silent_mid_payload_ends_the_deploy_within_its_bound_and_frees_the_lock(srv):
    """The host taken off its network mid-upload (``docker network disconnect``): the runner named it lost, but
    the server's TCP was never told; the agent waited in its read of the artifact for ever, holding the deploy
    lock (the next deploy: ``lock_wait: waiting for pid=538 ... since 21:57:18Z``, 5 minutes later). Class: a
    wait of the agent's on the runner's stream without a bound. Every read of it (the config, the artifact; the
    switch's go had one) ends past the host timeout: the step fails, the live release untouched, the lock freed."""
    import threading

    v1 = result(srv.deploy("1.0")[1])["release_id"]
    for config, step in ((None, "upload"), (b"SECRET = 1\n", "config")):
        args, payload = srv.deploy_args("2.0", config=config, confirm_timeout=0.5)
        read, write = os.pipe()
        os.write(write, payload[:1000] if config is None else payload[:3])
        out: list = []
        agent_run = threading.Thread(target=lambda a=args, fd=read, o=out: o.append(srv.run("deploy", a, stdin=fd)),
                                     daemon=True)
        try:
            agent_run.start()
            agent_run.join(30)
            assert not agent_run.is_alive(), "the agent still waits for the runner's bytes after 30 s"
        finally:
            os.close(write)
            agent_run.join(5)
            os.close(read)
        err = error(out[0][1])
        assert err["step"] == step and err["what"].startswith("the runner sent nothing for 0.5s"), err
        assert err["hint"].startswith(agent.NOT_TOUCHED) and srv.live() == v1, err
    assert result(srv.deploy("3.0", lock_timeout=0)[1])["changed"]  # the lock was freed


def test_the_next_deploy_says_it_removed_what_an_interrupted_one_left(srv):
    """A host rebooted mid-deploy (``docker restart`` at import): the next ``fab deploy`` removed the half-built
    release (the reply's ``recovered``) and no line said so. Class: a recovery done and never shown. The agent
    says it in a step line, which fab and pytest both show."""
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    (srv.root / "releases" / "20260101T000001Z-deadbeef").mkdir()
    events = srv.deploy("2.0")[1]
    said = [e["message"] for e in events if e.get("event") == "step" and e.get("step") == "recover"]
    assert said == ["removed what an interrupted deploy left half-built: 20260101T000001Z-deadbeef"], events
    assert result(events)["recovered"] == ["20260101T000001Z-deadbeef"] and srv.live() != v1


def test_a_step_killed_from_outside_is_named_killed_not_a_failure_of_the_app(srv):
    """The app user's processes killed with SIGKILL again and again during a deploy (out of memory): 'the new
    release failed its preflight (post-deploy commands) (exit -9): no output', and the hint asked to fix the app.
    Class: a death by a signal shown as an exit code. Each place a step's process ends says which signal, and a
    SIGKILL points at the server (memory, another process); members: a post-deploy command, the release check."""
    v1 = result(srv.deploy("1.0")[1])["release_id"]
    err = error(srv.deploy("2.0", post_deploy=["kill -9 $$"])[1])
    assert err["what"].startswith("post-deploy command 'kill -9 $$' failed (killed by SIGKILL, from outside: out "
                                  "of memory"), err
    assert agent.KILLED in err["hint"] and "fix the command" not in err["hint"] and srv.live() == v1, err
    err = error(srv.deploy("3.0", source=APP.replace("import os", "import os, signal; os.kill(os.getpid(), 9)",
                                                              1))[1])
    assert "(killed by SIGKILL, from outside" in err["what"] and err["step"] == "import", err
    assert agent.KILLED in err["hint"] and "fix the app" not in err["hint"] and srv.live() == v1, err


def test_the_switch_waits_for_the_runners_go_end_to_end(monkeypatch):
    """A runner that cannot be reached may look present from the server: with sshd's session process stopped (or
    a network cut sshd has not noticed) the agent's stdout still takes writes, and a local test of its pipe said
    the runner was there; the release went live while the runner had reported the host unknown and rolled the
    others back. Class: a commit point judged by one end's view of a link. The agent asks (a ``ready`` event)
    and switches only on the runner's ``go`` line within its bound: the go, EOF (the runner left), silence (it
    cannot be reached) and a closed stdout (no ask possible) each decide."""
    import io

    for given, wanted in ((b"go\n", True), (b"", False), (None, False), (b"no\n", False)):
        read, write = os.pipe()
        out_r, out_w = os.pipe()
        try:
            monkeypatch.setattr(agent, "_RUNNER", {"connected": True})
            monkeypatch.setattr(agent.sys, "stdout", io.TextIOWrapper(io.FileIO(out_w, "w", closefd=False)))
            monkeypatch.setattr(agent.sys, "stdin", type("Stdin", (), {"buffer": io.BufferedReader(
                io.FileIO(read, "r", closefd=False))})())
            if given is not None:
                os.write(write, given)
                os.close(write)
                write = -1
            assert agent.runner_confirms("r1", 0.3) is wanted, given
            assert b'"event": "ready"' in os.read(out_r, 4096)
        finally:
            for fd in (read, write, out_r, out_w):
                if fd >= 0:
                    os.close(fd)
    monkeypatch.setattr(agent, "_RUNNER", {"connected": False})  # its stdout already failed: no ask, no switch
    assert agent.runner_confirms("r1", 0.3) is False


# Class: a release refused for a step deploy.toml leaves out, hinted as the app's bug. Flask's tutorial app, first
# deploy, post_deploy commented out by init (its init-db drops tables): preflight GET / -> 500, "sqlite3.
# OperationalError: no such table: post", hint "fix the app and deploy again": the app was fine, nothing had created
# its schema. Members: SQLite's (Flask, Django) and PostgreSQL's wording; a post_deploy that ran and still left the
# table missing (its command creates the wrong schema); a table error inside a failing post_deploy command.
SCHEMALESS = APP.replace('    if environ["PATH_INFO"] == "/health":\n',
                         '    if environ["PATH_INFO"] == "/health":\n        raise RuntimeError(%(error)r)\n')


@pytest.mark.parametrize("error_line, table", [
    ("sqlite3.OperationalError: no such table: post", "post"),
    ('psycopg.errors.UndefinedTable: relation "django_session" does not exist', "django_session"),
])
def test_a_database_without_its_tables_names_post_deploy_not_the_app(srv, error_line, table):
    source = SCHEMALESS.replace("%(error)r", repr(error_line))
    _, events = srv.deploy("1.0", source=source)
    err = error(events)
    assert err["step"] == "preflight", err
    assert err["hint"].startswith(f"nothing was live yet; the app's database has no table {table}: nothing "
                                  "created its schema on this server (deploy.toml has no post_deploy)"), err["hint"]
    assert "fix the app" not in err["hint"]
    _, events = srv.deploy("1.0", source=source, post_deploy=counting(srv))
    assert f"has no table {table} after post_deploy ran" in error(events)["hint"], error(events)["hint"]
    _, events = srv.deploy("1.0", post_deploy=[f"echo '{error_line}' >&2; exit 1"])
    assert f"has no table {table}" in error(events)["hint"], error(events)["hint"]


# The same class (a refusal caused by a step deploy.toml leaves out, hinted "fix the app"): the app writes its data
# relative to its working dir, the release dir, which the app user cannot write: guestbook with init's deploy.toml
# of before (no shared_paths) and a health route that touches its data. Members: a relative dir, a path inside the
# release named absolutely; one under shared/ (not the release's) is left to the other hints.
@pytest.mark.parametrize("path, named", [("data", "data"), ("{release}/uploads/x", "uploads")])
def test_a_write_into_the_release_names_shared_paths(path, named):
    args, release = deploy_args("/srv/app"), "/srv/app/releases/r1"
    out = ["PermissionError: [Errno 13] Permission denied: '%s'" % path.format(release=release)]
    hint = agent.write_hint(args, release, out)
    assert hint.startswith("the app writes %s in the release (%s/%s), which the app user cannot write and every "
                           "release replaces: list %s in shared_paths" % (path.format(release=release), release,
                                                                          named, named)), hint
    assert agent.write_hint(args, release, ["PermissionError: [Errno 13] Permission denied: '/srv/app/shared/x'"]) \
        is None


def test_a_release_refused_for_writing_into_itself_names_shared_paths(srv):
    source = SCHEMALESS.replace("%(error)r", repr("PermissionError: [Errno 13] Permission denied: 'data'"))
    err = error(srv.deploy("1.0", source=source)[1])
    assert err["step"] == "preflight" and "fix the app" not in err["hint"], err["hint"]
    assert "list data in shared_paths" in err["hint"], err["hint"]


PICKY = APP + """
if "BAD" in globals().get("CONFIG", ""):
    raise ValueError("the config says BAD")
if os.environ.get("MODE") == "broken":
    raise RuntimeError("MODE is broken")
"""


def test_a_release_refused_for_its_config_alone_says_so_not_fix_the_app(srv):
    """Seen as a user: a config-only deploy (same artifact, a TOML typo in the config) was refused at import with
    "fix the app and deploy again", and the TOML error named no file: the code was the live release's, the config
    was all that changed. The other member: a deploy.toml setting (env) alone changed. A release with new code
    keeps the generic hint."""
    live = result(srv.deploy("1.0", config=b"A=1\n", source=PICKY)[1])["release_id"]
    err = error(srv.deploy("1.0", config=b"BAD\n", source=PICKY)[1])
    assert err["step"] == "import" and "the config says BAD" in err["what"], err
    assert "fix the app" not in err["hint"] and ("this release runs the live release's code (the same artifact): "
                                                 "only its config (sha256 %s) changed, so that is what failed: fix "
                                                 "the config file (config_file in deploy.toml, or the target's) and "
                                                 "deploy again" % hashlib.sha256(b"BAD\n").hexdigest()[:12]
                                                 ) in err["hint"], err["hint"]
    assert srv.live() == live and config_of(srv) == b"A=1\n"
    # the other member: only a setting (the app's env in deploy.toml) changed
    release = {"settings": {"env": {"MODE": "broken"}}, "settings_sha256": "1" * 64}
    args, payload = srv.deploy_args("1.0", config=b"A=1\n", source=PICKY, env={"MODE": "broken"})
    args = args._replace(release=dict(args.release, **release)) if hasattr(args, "_replace") else \
        type(args)(**dict(vars(args), release=dict(args.release, **release)))
    err = error(srv.run("deploy", args, payload)[1])
    assert "MODE is broken" in err["what"] and err["hint"].endswith(
        "only its settings (env) changed, so that is what failed: fix deploy.toml's env and deploy again"), err["hint"]
    # new code with a new config: the app may be at fault, the generic hint stays
    err = error(srv.deploy("2.0", config=b"BAD\n", source=PICKY)[1])
    assert "same artifact" not in err["hint"] and "fix the app" in err["hint"], err["hint"]


def test_the_runner_answers_a_switch_asked_without_the_artifact(tmp_path):
    """A deploy finishing the switch an earlier one made (killed between switch and reload) asks for its switch
    and never for the artifact; the runner's writer waited for that offer and never reached the go: the next
    deploy was refused ('did not confirm') on a real server, while the in-process test fed the go directly.
    Class: one party's answer queued behind another it may never need. The writer sends, in order, what is asked:
    the artifact when offered, else nothing; then the go."""
    import threading
    import time

    from deploytests.pipeline import remote

    class Chan:
        closed = False

        def __init__(self):
            self.sent = []

        def exit_status_ready(self):
            return False

        def sendall(self, data):
            self.sent.append(bytes(data))

        def shutdown_write(self):
            self.sent.append(b"EOF")

    artifact = tmp_path / "a.tar"
    artifact.write_bytes(b"x" * 10)
    for asked, wanted in (([{"event": "ready"}], [b"", b"go\n", b"EOF"]),
                          ([{"event": "upload"}, {"event": "ready"}], [b"", b"0\n", b"x" * 10, b"go\n", b"EOF"])):
        chan, parts = Chan(), (b"", remote.Resumable(artifact), remote.Confirm())
        writer = threading.Thread(target=remote._feed, args=(chan, parts), daemon=True)
        writer.start()
        for event in asked:
            for part in parts[1:]:
                part.take(event)
            time.sleep(0.2)
        writer.join(5)
        assert not writer.is_alive() and chan.sent == wanted, (asked, chan.sent)


def test_the_runners_stream_reads_whole_chunks_as_the_buffered_stdin_it_stands_for(tmp_path):
    """The bounded reader of the runner's stream stood for ``sys.stdin.buffer`` and returned whatever had arrived
    (``read1``): the upload's first chunk was 2930 bytes, not a MiB, and the interrupted deploys' pause after it
    (CI: ``resumed at 2930``, not at 1 MiB) came before anything worth resuming had arrived. Class: a stand-in
    stream that breaks the contract of what it stands for. ``read(n)`` is n bytes (fewer only at EOF), each wait
    for more within the bound; member: ``receive``'s first chunk, on disk when its pause point runs."""
    class Trickle:  # a link that delivers the runner's bytes a few at a time
        def __init__(self, data):
            self.data = data

        def read1(self, n):
            piece, self.data = self.data[:min(n, 2930)], self.data[min(n, 2930):]
            return piece

    data = os.urandom(3 << 20)
    assert agent.FromRunner(5, Trickle(data)).read(1 << 20) == data[:1 << 20]
    assert agent.FromRunner(5, Trickle(data[:100])).read(1 << 20) == data[:100]  # (EOF: fewer)
    seen = []
    dest = tmp_path / "artifact.tar"
    agent.receive(agent.FromRunner(5, Trickle(data)), str(dest), len(data), hashlib.sha256(data).hexdigest(),
                  after_first_chunk=lambda: seen.append(dest.stat().st_size))
    assert seen == [1 << 20] and dest.read_bytes() == data
