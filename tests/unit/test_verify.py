"""verify helpers with fakes: messages carry the context, secrets stay out."""

from types import SimpleNamespace

import pytest
import requests

from deploytests.redaction import secrets_of
from deploytests.verify import (
    PathFacts,
    assert_header,
    assert_not_served,
    assert_ok,
    assert_path,
    assert_status,
    stat_paths,
    wsgi_daemons,
)


def response(status=200, body="hello", headers=None, url="http://127.0.0.1:8080/health"):
    resp = requests.Response()
    resp.status_code, resp._content, resp.url, resp.reason = status, body.encode(), url, "X"
    resp.headers.update(headers or {"Content-Type": "text/plain"})
    resp.request = requests.Request("GET", url).prepare()
    return resp


class FakeHost:
    def __init__(self, out="", rc=0):
        self.out, self.rc, self.commands = out, rc, []
        self.backend = SimpleNamespace(get_hostname=lambda: "docker://web-1")

    def check_output(self, cmd, *args):
        self.commands.append(cmd)
        return self.out

    def run(self, cmd, *args):
        self.commands.append(cmd)
        return SimpleNamespace(rc=self.rc, stdout=self.out, stderr="boom\n", command=cmd)


def test_http_failure_quotes_url_status_headers_body():
    with pytest.raises(AssertionError) as err:
        assert_status(response(503, "not initialized", {"X-Deploy-Release": "r1"}))
    text = str(err.value)
    for part in ("expected HTTP 200, got 503", "GET http://127.0.0.1:8080/health -> 503",
                 "X-Deploy-Release: r1", "'not initialized'"):
        assert part in text
    with pytest.raises(AssertionError, match="expected header X-Deploy-Release: 'r2', found 'r1'"):
        assert_header(response(headers={"X-Deploy-Release": "r1"}), "X-Deploy-Release", "r2")


def test_not_served_never_quotes_the_secret():
    assert_not_served(response(404, "Not Found"), "s3cr3t")
    with pytest.raises(AssertionError) as err:
        assert_not_served(response(404, "SECRET_KEY = 's3cr3t'"), "s3cr3t")
    assert "served the file's content" in str(err.value) and "s3cr3t" not in str(err.value)
    with pytest.raises(AssertionError, match="answered 200"):
        assert_not_served(response(200, "x"), "s3cr3t")


def test_stat_paths_one_round_trip():
    host = FakeHost("/a|directory|755|root|root|\n/a/cur|symbolic link|777|u|g|releases/1\n"
                    "/b|missing||||\n")
    facts = stat_paths(host, ["/a", "/a/cur", "/b"])
    assert len(host.commands) == 1
    assert facts["/a"] == PathFacts("/a", "directory", "0755", "root", "root", "")
    assert facts["/a/cur"].describe() == "/a/cur: symbolic link 0777 u:g -> releases/1"
    assert facts["/b"].describe() == "/b: missing"


def test_stat_paths_reads_a_hostile_link_target_as_data():
    """A link target the deploy login chose: a "|", a newline faking another path's line, an escape code."""
    host = FakeHost("/b|missing||||\n/a/cur|symbolic link|777|u|g|x|y\x1b[2J\n/b|directory|755|root|root|\n")
    facts = stat_paths(host, ["/b", "/a/cur"])
    assert facts["/a/cur"].target == "x|y\\x1b[2J\\n/b|directory|755|root|root|"
    assert facts["/b"].kind == "missing"  # the target's fake line for /b is no line of ours


def test_assert_path_names_expected_and_found():
    with pytest.raises(AssertionError) as err:
        assert_path(PathFacts("/cfg", "regular file", "0644", "root", "app"), kind="regular file", mode="0640")
    assert str(err.value) == "expected /cfg: regular file 0640 root:app\n   found /cfg: regular file 0644 root:app"


def test_assert_ok_quotes_command_exit_output():
    with pytest.raises(AssertionError) as err:
        assert_ok(FakeHost(rc=2), "apache2ctl configtest")
    assert "command: 'apache2ctl configtest'\nexit code: 2" in str(err.value) and "boom" in str(err.value)


def test_wsgi_daemons_match_truncated_display_name():
    host = FakeHost("USER PID COMMAND\nroot 27 /usr/sbin/apache2 -k start\n"
                    "yourapplication 206 (wsgi:yourapplica -k start\nother 9 (wsgi:other) -k start\n")
    assert wsgi_daemons(host, "yourapplication") == [("yourapplication", 206)]


def test_secrets_of_a_config_and_redact(tmp_path):
    cfg = tmp_path / "app.cfg"
    cfg.write_text("# comment\nCONFIG_NAME = \"docker\"\nSECRET_KEY = 's3cr3t-do-not-print'\nDEBUG = False\n"
                   "DATA_DIR = 'data'\nAPI_TOKEN = 'x1'\nDATABASE = 'postgresql://app:pw@db/app'\n")
    secrets = secrets_of(cfg)
    # secret-looking keys whatever their length, long values whatever their key; not short plain words
    assert secrets.values == ("postgresql://app:pw@db/app", "s3cr3t-do-not-print", "x1")
    assert secrets.keyed == ("s3cr3t-do-not-print", "x1") and secrets.warnings == ()
    assert secrets.redact("key=s3cr3t-do-not-print") == "key=[redacted]"
    assert secrets_of(None).values == () and secrets_of(tmp_path / "missing.cfg").values == ()


def test_deploy_failure_reports_are_redacted(tmp_path):
    """An app's traceback in a gate failure may quote config values: the fixture's failure, as reported (the
    one place reports are redacted), never shows them."""
    from types import SimpleNamespace

    from deploytests.errors import DeployError
    from deploytests.plugin import fixtures
    from deploytests.plugin.reporting import Reporting
    from deploytests.plugin.state import SECRETS
    from deploytests.redaction import secrets_of

    cfg_file = tmp_path / "app.cfg"
    cfg_file.write_text('SECRET_KEY = "topsecretvalue-42"\nCONFIG_NAME = "staging"\n')
    exc = DeployError("health gate failed", where="docker://web-1",
                      detail="Traceback:\n  KeyError: 'topsecretvalue-42'\n")
    with pytest.raises(pytest.fail.Exception) as info:
        fixtures._fail(exc)
    config = SimpleNamespace(stash={SECRETS: secrets_of(cfg_file)})
    rep = SimpleNamespace(longrepr=str(info.value), longreprtext=str(info.value), sections=[], user_properties=[])
    Reporting(config).redact(rep, SimpleNamespace(user_properties=[]))
    assert "topsecretvalue-42" not in rep.longrepr and "KeyError: '[redacted]'" in rep.longrepr


def test_an_app_answering_every_path_is_not_a_file_served():
    """A false alarm from a user's seat: a plain WSGI app answering every path (a catch-all route, an SPA's index)
    failed test_app_files_not_downloadable on every private path, status 200. A 200 the app answered (tagged
    X-Deploy-Release by the .wsgi file every response passes through) is no file Apache served; the file's content
    in the body still is, and so is Apache's own 200 (no tag)."""
    tagged = {"X-Deploy-Release": "r1"}
    assert_not_served(response(200, "hello\n", tagged), "s3cr3t")
    with pytest.raises(AssertionError, match="served the file's content"):
        assert_not_served(response(200, "SECRET_KEY = 's3cr3t'", tagged), "s3cr3t")
    with pytest.raises(AssertionError, match="answered 200"):
        assert_not_served(response(200, "hello\n"), "s3cr3t")


@pytest.mark.parametrize("config, front, private, leaks", [
    # a plain WSGI app showing its config's greeting on every path (a catch-all): no file served
    ('{"greeting": "hello from the local config"}', "hello from the local config",
     "hello from the local config", False),
    # a Flask app whose 404 page has the layout showing the site's name from the config
    ('SITE_NAME = "Short links (prod)"\n', "<title>Short links (prod)</title>",
     "<title>Short links (prod)</title><h1>Not found</h1>", False),
    # a route of the app handing out the config file: the secret its pages never show is still a leak
    ('SITE_NAME = "Short links (prod)"\nSECRET_KEY = "k-0123456789abcdef"\n', "<title>Short links (prod)</title>",
     'SITE_NAME = "Short links (prod)"\nSECRET_KEY = "k-0123456789abcdef"\n', True),
])
def test_a_config_value_the_app_shows_on_its_pages_is_no_file_downloaded(tmp_path, config, front, private, leaks):
    """Class: a marker of a private file that the app's own pages show. A plain WSGI app answering every path with
    its config's greeting (a value redaction counts as secret: 8 characters or more) failed
    test_app_files_not_downloadable on every private path, though no file was served: the marker was the first
    secret value, which the app shows by design. Other member: a 404 page whose layout shows a site name from the
    config. A value the app's front page or health answer shows marks nothing; one they never show still does."""
    from types import SimpleNamespace

    from deploytests.verify import promises
    from deploytests.verify.facts import PRIVATE

    cfg_file = tmp_path / "app.cfg"
    cfg_file.write_text(config)
    tagged = {"X-Deploy-Release": "r1", "Content-Type": "text/html"}
    responses = {p: response(404 if "Not found" in private else 200, private, tagged, f"http://h{p}")
                 for p in PRIVATE}
    responses.update({"/": response(200, front, tagged), "/health": response(200, "ok", tagged)})
    facts = SimpleNamespace(responses=responses, label="docker://web-1")
    exp = SimpleNamespace(cfg=SimpleNamespace(config_file=cfg_file, health_path="/health"))
    if leaks:
        with pytest.raises(AssertionError, match="must not be downloadable"):
            promises.app_files_not_downloadable(facts, exp)
    else:
        promises.app_files_not_downloadable(facts, exp)
