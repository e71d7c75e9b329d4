import io
import json


def call(app, method, path, headers=None):
    out = {}
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": io.BytesIO(), **(headers or {})}
    body = b"".join(app(env, lambda s, h: out.update(status=s)))
    return out["status"], json.loads(body)


def test_counts(tmp_path, monkeypatch):
    ini = tmp_path / "t.ini"
    ini.write_text(f"[tally]\napi_token = t\ndatabase = {tmp_path / 'db.sqlite'}\n")
    monkeypatch.setenv("TALLY_SETTINGS", str(ini))
    import importlib

    import tally.wsgi as w
    importlib.reload(w)
    assert call(w.application, "GET", "/ping")[0] == "200 OK"
    assert call(w.application, "POST", "/counts/x", {"HTTP_AUTHORIZATION": "Bearer t"})[1] == {"n": 1}
    assert call(w.application, "GET", "/counts")[1] == {"x": 1}
