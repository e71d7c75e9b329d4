"""deploy_http's client against a local HTTP server on 127.0.0.1: methods, bodies, cookies, no redirects."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deploytests.verify import HttpClient


class Handler(BaseHTTPRequestHandler):
    def _answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
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
