"""deploy_http's client against a local HTTP server on 127.0.0.1: methods, bodies, cookies, no redirects."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deploytests.verify import HttpClient


class Handler(BaseHTTPRequestHandler):
    def _answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.path == "/form":  # Django with CSRF_COOKIE_SECURE / SESSION_COOKIE_SECURE behind plain http
            self.send_response(200)
            self.send_header("Set-Cookie", "csrftoken=t; Path=/; Secure")
            self.send_header("Set-Cookie", "theme=dark; Path=/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/login":
            self.send_response(303)
            self.send_header("Location", "/")
            self.send_header("Set-Cookie", "session=abc; Path=/")
            self.end_headers()
            return
        out = json.dumps({"method": self.command, "path": self.path, "body": body,
                          "cookie": self.headers.get("Cookie")}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def client():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    http = HttpClient(f"http://127.0.0.1:{server.server_address[1]}/")
    yield http
    http.close()
    server.shutdown()
    server.server_close()
    thread.join()


def test_every_method_reaches_the_path_with_its_body(client):
    assert client.post("/notes", data={"text": "hi"}).json() == {
        "method": "POST", "path": "/notes", "body": "text=hi", "cookie": None}
    assert client.put("items/1", json={"a": 1}).json()["body"] == '{"a": 1}'
    assert [client.patch("/x").json()["method"], client.delete("/x").json()["method"]] == ["PATCH", "DELETE"]
    assert client.head("/x").status_code == 200 and client.request("GET", "/y").json()["path"] == "/y"


def test_cookies_persist_and_redirects_are_not_followed(client):
    resp = client.post("/login", data={"user": "u"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/"
    assert client.get("/private").json()["cookie"] == "session=abc"


# -- the site paces its answers and chooses their size (issue 16: the app is less trusted than the gate's runner)

def _raw_server(answer):
    """A loopback server that reads a request and hands the socket to ``answer`` (one thread per connection)."""
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=_answer_once, args=(conn, answer), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return srv


def _answer_once(conn, answer):
    try:
        conn.recv(65536)
        answer(conn)
    except OSError:
        pass
    finally:
        conn.close()


def _endless(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    while True:
        conn.sendall(b"10000\r\n" + b"x" * 0x10000 + b"\r\n")


def _trickle_body(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    while True:
        conn.sendall(b"x")
        time.sleep(0.2)


def _trickle_headers(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while True:
        conn.sendall(b"a")
        time.sleep(0.2)


def _gzip_bomb(conn):
    import zlib

    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = b"".join(deflate.compress(bytes(1 << 20)) for _ in range(256)) + deflate.flush()  # 256 MiB of zeros
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(data) + data)


@pytest.mark.parametrize("answer, limit", [(_endless, 1 << 20), (_gzip_bomb, 4 << 20)])
def test_a_body_larger_than_the_limit_is_cut_there_and_not_read_further(answer, limit):
    srv = _raw_server(answer)
    http = HttpClient(f"http://127.0.0.1:{srv.getsockname()[1]}", limit=limit, deadline=60)
    try:
        resp = http.get("/")
    finally:
        http.close()
        srv.close()
    assert resp.status_code == 200 and len(resp.content) == limit and resp.cut


@pytest.mark.parametrize("answer", [_trickle_body, _trickle_headers])
def test_an_answer_that_trickles_ends_at_the_deadline_in_one_line(answer):
    srv = _raw_server(answer)
    http = HttpClient(f"http://127.0.0.1:{srv.getsockname()[1]}", timeout=5, deadline=1)
    try:
        with pytest.raises(AssertionError) as info:  # SiteDown: a check that meets it fails
            http.get("/")
        assert str(info.value).endswith(": no whole answer within 1 s"), info.value
        with pytest.raises(AssertionError, match="failed before: not tried again"):
            http.get("/")  # not waited for again
    finally:
        http.close()
        srv.close()


# Class: the runner's Host header is not the app's name. The docker target's URL is 127.0.0.1:PORT; an app
# allowing only its server_name (Django's ALLOWED_HOSTS, Flask's TRUSTED_HOSTS) answered the gate's GETs 400.
@pytest.mark.parametrize("base_url, server_name, host", [
    ("http://127.0.0.1:32838", "www.example.com", "www.example.com"),   # the docker target
    ("http://[::1]:8080/", "notes.example.com", "notes.example.com"),
    ("http://localhost:8080", "www.example.com", "www.example.com"),
    ("http://10.0.0.13", "www.example.com", "www.example.com"),         # a staging host named by its address
    ("http://127.0.0.1:32838", "127.0.0.1", None),                      # the address is the name
    ("https://staging.example.com", "www.example.com", None),           # a name: DNS and TLS name the site
    ("https://www.example.com/", "www.example.com", None),
])
def test_the_runner_sends_the_apps_name_as_host_to_an_address(base_url, server_name, host):
    from deploytests.verify.http import site_host

    assert site_host(base_url, server_name) == host


def test_the_host_header_reaches_the_site():
    from deploytests.verify.http import site_host

    seen = []

    class Echo(Handler):
        def do_GET(self):
            seen.append(self.headers["Host"])
            super()._answer()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        http = HttpClient(url, host_header=site_host(url, "www.example.com"))
        assert http.get("/health").status_code == 200 and seen == ["www.example.com"]
        http.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _paced(conn):
    """A whole answer, one byte at a time: each well inside the per-answer deadline, never marked down."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\n")
    for byte in b"okay":
        time.sleep(0.1)
        conn.sendall(bytes([byte]))


def test_a_hosts_gets_share_one_deadline_past_which_the_rest_are_not_asked(monkeypatch):
    """Class: a bound per answer and none over all of them (attack7: the app answered each of the gate's ~13 GETs
    whole just inside its 30 s, one host's check took 303 s). ``facts.fetch`` gives them one deadline in all: what
    is left past it is not asked, and says so; what came before it is kept."""
    from types import SimpleNamespace

    from deploytests.verify import facts

    srv = _raw_server(_paced)
    monkeypatch.setattr(facts, "ANSWERS_DEADLINE", 1.0, raising=False)  # (raising: it failed before the bound)
    try:
        got = facts.fetch(SimpleNamespace(base_url=f"http://127.0.0.1:{srv.getsockname()[1]}"),
                          [f"/p{n}" for n in range(20)], origin="https://elsewhere.invalid")
    finally:
        srv.close()
    assert getattr(got["/p0"], "status_code", None) == 200, got["/p0"]
    late = [k for k, v in got.items() if isinstance(v, str)]
    assert late and late[-2:] == [facts.CROSS_ORIGIN, facts.SPOOFED], got
    for key in (facts.CROSS_ORIGIN, facts.SPOOFED):
        assert "not asked: this site's answers took more than 1 s in all" in got[key], got


def test_a_secure_cookie_set_over_http_is_named_as_held_back(client):
    """newuser12: a Django project following Django's deployment checklist (CSRF_COOKIE_SECURE) failed init's
    example form test on the gate's http:// containers with a bare 403: the site set csrftoken Secure, the client
    (as a browser) never sent it back over http, and nothing said so. Class: a check fails for a reason the client
    knows and does not say. The client names such cookies; a failed test of the server shows them (reporting)."""
    client.get("/form")
    assert client.held_back == ["csrftoken"]
    assert client.post("/x").json()["cookie"] == "theme=dark"  # indeed not sent


def test_requests_start_no_thread_each_one_thread_keeps_every_deadline(client, monkeypatch):
    """Each request's deadline is kept by one watchdog thread for all of them, not a thread started per request
    (a ``Timer`` each: ~0.25 ms of the runner's CPU a request, 23 a host at the gate); a deadline still fires (the
    trickling answers above)."""
    started, me, real = [], threading.current_thread(), threading.Thread.start  # (the test server's own: not counted)
    monkeypatch.setattr(threading.Thread, "start", lambda self: (
        started.append(self.name) if threading.current_thread() is me else None, real(self))[1])
    for _ in range(20):
        assert client.get("/x").status_code == 200
    assert [n for n in started if n != "http-deadlines"] == [] and started.count("http-deadlines") <= 1, started


def _silent(conn):
    time.sleep(3)  # takes the request, answers nothing (a daemon still importing the app on a loaded server)


def test_a_site_too_slow_to_answer_fails_naming_the_bound_and_the_setting_that_raises_it():
    """Class: a wait whose bound the user can neither see nor set. The deploy checks' requests gave up after a
    fixed 10 s ("no answer in time") and a Django admin login POST on a loaded server rolled a good release back:
    the checks wait deploy.toml's health_timeout, and the line names the bound and that setting."""
    from types import SimpleNamespace

    from deploytests.plugin.fixtures import site_client

    srv = _raw_server(_silent)
    url = f"http://127.0.0.1:{srv.getsockname()[1]}"
    http = site_client(url, SimpleNamespace(health_timeout=1, server_name="www.example.com"))
    try:
        assert (http.timeout, http.deadline, http.session.headers["Host"]) == (1.0, 30.0, "www.example.com")
        with pytest.raises(AssertionError) as info:
            http.post("/admin/login/")
        assert str(info.value) == (f"POST {url}/admin/login/: no answer within 1 s (read or connect timeout); an app "
                                   "slower than that to answer (a loaded server) needs a higher health_timeout in "
                                   "deploy.toml (seconds, at most 600)"), info.value
    finally:
        http.close()
        srv.close()
    assert site_client(url, SimpleNamespace(health_timeout=120, server_name="x")).deadline == 120
