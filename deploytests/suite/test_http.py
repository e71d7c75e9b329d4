"""HTTP: the site answers from the runner and from inside the server, with the deployed release."""

from __future__ import annotations

import json

import pytest

from deploytests.verify import assert_header, assert_not_served, assert_ok, assert_status, secret_values


def test_health_from_runner(deploy_http, deploy_config):
    resp = assert_status(deploy_http.get(deploy_config.health_path), 200)
    assert resp.content, f"empty health response from {resp.url}"


def test_homepage_from_runner(deploy_http):
    assert_status(deploy_http.get("/"), 200)


def test_response_carries_deployed_release(deploy_http, deploy_server, deployment, deploy_config):
    resp = deploy_http.get(deploy_config.health_path)
    assert_header(resp, "X-Deploy-Release", deployment[deploy_server.label].release_id)


def test_health_from_inside_server(deploy_host, deploy_server, deployment, deploy_config):
    cfg = deploy_config
    probe = ("import http.client,json,sys; c=http.client.HTTPConnection('127.0.0.1', %d, timeout=10); "
             "c.request('GET', %r, headers={'Host': %r}); r=c.getresponse(); "
             "print(json.dumps([r.status, r.getheader('X-Deploy-Release')]))" % (cfg.port, cfg.health_path,
                                                                                cfg.server_name))
    out = assert_ok(deploy_host, "python3 -c %s", probe)
    status, release = json.loads(out)
    expected = [200, deployment[deploy_server.label].release_id]
    assert [status, release] == expected, \
        f"GET http://127.0.0.1:{cfg.port}{cfg.health_path} on {deploy_server.label} answered {status} " \
        f"with release {release}, expected {expected[0]} with release {expected[1]}"


PRIVATE = ["/application.wsgi", "/shared/application.cfg", "/application.cfg", "/releases/",
           "/current/RELEASE.json", "/.deploy.lock", "/current/venv/bin/python"]


@pytest.mark.parametrize("path", PRIVATE)
def test_app_files_not_downloadable(deploy_http, path, deploy_config):
    secrets = secret_values(deploy_config.config_file)
    forbidden = {"/application.wsgi": "X-Deploy-Release", "/current/RELEASE.json": "artifact_sha256"}
    resp = deploy_http.get(path)
    assert_not_served(resp, forbidden.get(path) or (secrets[0] if secrets else ""))
