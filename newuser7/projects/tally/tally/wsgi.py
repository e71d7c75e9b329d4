import json

from . import settings, store

CONF = settings.load()


def _json(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def application(environ, start_response):
    path, method = environ.get("PATH_INFO", "/"), environ["REQUEST_METHOD"]
    if path == "/ping":
        return _json(start_response, "200 OK", {"ok": True, "title": CONF["title"], "version": "1.1"})
    if path == "/counts" and method == "GET":
        return _json(start_response, "200 OK", store.all_counts(CONF["db"]))
    if path.startswith("/counts/") and method == "POST":
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {CONF['token']}" or not CONF["token"]:
            return _json(start_response, "403 Forbidden", {"error": "token"})
        return _json(start_response, "200 OK", {"n": store.bump(CONF["db"], path.split("/", 2)[2])})
    return _json(start_response, "404 Not Found", {"error": "not found"})
