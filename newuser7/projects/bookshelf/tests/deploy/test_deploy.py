"""Deploy checks of bookshelf: they run against the deployed site, once per server.

Run with the built-in suite (the gate): ``pytest --pyargs deploytests.suite tests/deploy`` (throwaway
containers), or ``... --target staging`` (servers of targets.toml). The fixtures (``pytest --fixtures``):
``deploy_http`` (a requests session for the server's site), ``deploy_host`` (a testinfra Host over SSH),
``deploy_server``, ``deploy_config`` (deploy.toml), ``deployment`` (the release each server serves).
"""

import pytest


def test_health_answers_from_the_deployed_release(deploy_http, deploy_server, deploy_config, deployment):
    resp = deploy_http.get(deploy_config.health_path)
    assert resp.status_code == 200, f"GET {resp.url} -> {resp.status_code}: {resp.text[:200]!r}"
    assert resp.headers["X-Deploy-Release"] == deployment[deploy_server.label].release_id


def test_health_route_refuses_a_post(deploy_http, deploy_config):
    # A POST, with the session's cookies kept between requests. Replace with one of your app's forms or APIs:
    #   resp = deploy_http.post("/items", json={"name": "x"}); assert resp.status_code == 201
    #   assert deploy_http.get("/items").json()[-1]["name"] == "x"
    resp = deploy_http.post(deploy_config.health_path, data={"probe": "1"})
    assert resp.status_code == 405, f"POST {resp.url} -> {resp.status_code}, expected 405 (GET only)"


def test_static_file_is_served_by_apache(deploy_http):
    # a file of your static dir (deploy.toml's static), answered by Apache itself: no X-Deploy-Release
    resp = deploy_http.get("/static/shelf.css")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/css"), resp.headers
    assert "X-Deploy-Release" not in resp.headers


def test_current_points_at_a_complete_release(deploy_host, deploy_config):
    current = deploy_host.file(f"{deploy_config.root}/current")
    assert current.is_symlink, f"{deploy_config.root}/current is not a symlink"
    assert deploy_host.file(f"{current.linked_to}/RELEASE.json").is_file


@pytest.mark.deploytests_deploys  # skipped (with the reason) on targets without deploy = true
def test_live_release_is_the_packed_one(deploy_host, deploy_config, deploy_artifact):
    python = f"{deploy_config.root}/current/venv/bin/python"
    out = deploy_host.check_output(f"{python} -c 'import importlib.metadata as m; "
                                   f"print(m.version(\"{deploy_artifact.name}\"))'")
    assert out.strip() == deploy_artifact.version


def test_add_a_book(deploy_http):
    resp = deploy_http.post("/books/", data={"title": "Dune", "author": "Herbert"}, allow_redirects=False)
    assert resp.status_code == 302, resp.text[:300]
    page = deploy_http.get("/books/")
    assert page.status_code == 200 and "Dune" in page.text and "office shelf" in page.text, page.text[:300]
