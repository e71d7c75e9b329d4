"""Deploy checks of inventory: they run against the deployed site, once per server.

Run with the built-in suite (the gate): ``pytest --pyargs deploytests.suite tests/deploy`` (throwaway
containers), or ``... --target staging`` (servers of targets.toml). The fixtures (``pytest --fixtures``):
``deploy_http`` (a requests session for the server's site), ``deploy_host`` (a testinfra Host over SSH),
``deploy_server``, ``deploy_config`` (deploy.toml), ``deployment`` (the release each server serves).
"""

import re

import pytest


def test_health_answers_from_the_deployed_release(deploy_http, deploy_server, deploy_config, deployment):
    resp = deploy_http.get(deploy_config.health_path)
    assert resp.status_code == 200, f"GET {resp.url} -> {resp.status_code}: {resp.text[:200]!r}"
    assert resp.headers["X-Deploy-Release"] == deployment[deploy_server.label].release_id


def test_admin_login_form_posts_with_its_csrf_token(deploy_http):
    # A form POST through Django's CSRF protection: GET the form (the session keeps its csrftoken cookie), then
    # POST with the token. Replace with one of your app's forms.
    form = deploy_http.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert form.status_code == 200 and token, f"GET {form.url} -> {form.status_code}: {form.text[:200]!r}"
    resp = deploy_http.post("/admin/login/", data={"csrfmiddlewaretoken": token[1], "username": "nobody",
                                                   "password": "wrong"})
    # the login is refused (200, the form again), not the POST (403: "CSRF verification failed")
    assert resp.status_code == 200 and "CSRF verification failed" not in resp.text, resp.text[:300]


def test_static_file_is_served_by_apache(deploy_http):
    # a file of your static dir (deploy.toml's static), answered by Apache itself: no X-Deploy-Release
    resp = deploy_http.get("/static/admin/css/base.css")
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
