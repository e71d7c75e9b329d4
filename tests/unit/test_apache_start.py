"""What a (re)start of Apache makes root open, run or make (issue 16; class: the check before root runs
``apache2ctl`` read less than Apache does as root): the login collector's verdict judges every path and program
word of every line Apache reads, whatever its directive. Pure: the collector's view is given as its own ``lstat``
records (the logic, not this machine's files); stock Debian 12 and 13 (the project's images, and plain servers with
mod_ssl's snakeoil ``default-ssl`` site) as recorded by ``data/record_apache.py``."""

from __future__ import annotations

import json
import os
import re
import stat as s
from pathlib import Path
from unittest import mock

import pytest

from deploytests.verify import collect_login

STOCK = json.loads((Path(__file__).parent / "data" / "apache-stock.json").read_text())
D, F, LN = s.S_IFDIR | 0o755, s.S_IFREG | 0o644, s.S_IFLNK | 0o777


def unrecorded(path):
    raise AssertionError(f"{path} was not recorded: this test must not look at the runner's own files")


def includes(texts):
    return {p: [os.path.normpath(os.path.join(collect_login.SERVER_ROOT, n)) for k, n in collect_login.named(t)
                if k.startswith("include")] for p, t in texts.items()}


@pytest.mark.parametrize("stack", sorted(STOCK))
def test_stock_apache_is_judged_root_s_from_every_line_it_reads(stack):
    """Every path word of every line stock Apache reads is root's: the verdict says yes (and read them all)."""
    out = {"files": STOCK[stack]["files"], "errors": {}}
    texts = STOCK[stack]["read"]
    with mock.patch.object(collect_login.os, "lstat", unrecorded):
        assert collect_login.started(out, texts, includes(texts)) is None
    assert sorted(out["read"]) == sorted(texts) and "/etc/apache2/apache2.conf" in out["read"], out["read"]


def server(line: str, *, extra: dict | None = None) -> dict:
    """A server whose Apache reads ``line`` in conf-enabled/zz.conf; /srv/logtools is 2775 root:1001 (the deploy
    login's group may write it), /srv/root 0755 root's, /tmp 1777."""
    files = {p: {"st": [D, 0, 0, 0, 0, 0]} for p in ("/", "/etc", "/etc/apache2", "/etc/apache2/conf-enabled",
                                                      "/usr", "/usr/sbin", "/usr/lib", "/usr/lib/apache2",
                                                      "/usr/lib/apache2/modules", "/srv", "/srv/root")}
    files.update({p: {"st": [F, 0, 0, 0, 0, 0]} for p in ("/usr/sbin/apache2ctl", "/usr/sbin/apache2",
                                                           "/etc/apache2/apache2.conf", "/etc/apache2/envvars",
                                                           "/etc/apache2/conf-enabled/zz.conf", "/etc/passwd")})
    files["/srv/logtools"] = {"st": [s.S_IFDIR | 0o2775, 0, 1001, 0, 0, 0]}
    files["/tmp"] = {"st": [s.S_IFDIR | 0o1777, 0, 0, 0, 0, 0]}
    files["/etc/apache2/apache2.conf"]["data"] = "ServerRoot /etc/apache2\nIncludeOptional conf-enabled/*.conf\n"
    files["/etc/apache2/envvars"]["data"] = "export APACHE_LOG_DIR=/var/log/apache2$SUFFIX\n"
    files["/etc/passwd"]["data"] = "root:x:0:0::/root:/bin/sh\n"
    files["/etc/apache2/conf-enabled/zz.conf"]["data"] = line + "\n"
    files.update(extra or {})
    return {"files": files, "dirs": {}, "errors": {}}


def verdict(line: str, **kw) -> str | None:
    with mock.patch.object(collect_login.os, "lstat", mock.Mock(side_effect=FileNotFoundError(2, "No such file or "
                                                                                                "directory"))):
        return collect_login.loose(server(line, **kw))


@pytest.mark.parametrize("line, named", [
    ("SSLPassPhraseDialog exec:/srv/logtools/ask-pass", "/srv/logtools/ask-pass"),  # root runs it at a start
    ("Mutex file:/srv/logtools default", "/srv/logtools"),  # root makes its lock files there
    ('CustomLog "|/srv/logtools/ship-log" combined', "/srv/logtools/ship-log"),  # root runs the piped logger
    ("ErrorLog ${APACHE_LOG_DIR}/../../../srv/logtools/e.log", "/srv/logtools/e.log"),  # envvars' value
    ("SSLCertificateKeyFile \\\n  /srv/logtools/k.pem", "/srv/logtools/k.pem"),  # a continued line
    ("WSGIDaemonProcess x python-home=/srv/root chroot=/srv/logtools/jail", "/srv/logtools/jail"),  # root chroots
    ("Mutex file:/tmp/locks default", "/tmp/locks"),  # not there, and anyone may make it
])
def test_a_path_any_directive_names_that_someone_else_may_change_is_refused_naming_file_and_line(line, named):
    said = verdict(line)
    one = rf"/etc/apache2/conf-enabled/zz\.conf:\d: '[^\n]+': {re.escape(named)} may be [^\n]+ by someone other"
    assert re.fullmatch(one + r"[^\n]*", said or ""), said


@pytest.mark.parametrize("line", [
    "Alias /static/ /srv/logtools/static/",  # served by the children, never opened by root's parent
    "WSGIDaemonProcess x python-home=/srv/logtools/venv",  # the daemons use it after they dropped root
    "CustomLog /srv/root/access.log combined",  # root's directory: root alone may make the log there
    "SSLRandomSeed startup file:/dev/urandom 512",  # a character device of root's
    "DAVLockDB /srv/logtools/DAVLock",  # mod_dav_fs opens it in the children (a stock `a2enmod dav_fs` was refused)
])
def test_what_only_root_may_change_or_no_root_process_opens_is_accepted(line):
    extra = {"/dev": {"st": [D, 0, 0, 0, 0, 0]}, "/dev/urandom": {"st": [s.S_IFCHR | 0o666, 0, 0, 0, 0, 0]}}
    assert verdict(line, extra=extra) is None


def test_a_defined_variable_is_resolved_and_judged():
    assert verdict("Define LOGS /srv/root\nCustomLog ${LOGS}/a.log combined") is None
    said = verdict("Define LOGS /srv/root\nCustomLog ${LOGS}/../logtools/a.log combined")
    assert said.startswith("/etc/apache2/conf-enabled/zz.conf:2: 'CustomLog ${LOGS}/../logtools/a.log combined': "
                           "/srv/logtools/a.log may be changed"), said


def test_a_variable_or_a_macro_the_check_cannot_read_is_a_no():
    assert "${NOPE} is not one this check can resolve: root runs nothing" in verdict("CustomLog ${NOPE}/x.log c")
    assert "a <Macro>: what its Use lines make is not read here" in verdict("<Macro Log $d>")


def test_a_link_on_the_way_is_followed_and_judged_where_it_leads():
    link = {"/srv/root/logs": {"st": [LN, 0, 0, 0, 0, 0], "link": "../logtools"}}
    said = verdict("CustomLog /srv/root/logs/a.log combined", extra=link)
    assert "/srv/root/logs/a.log may be changed by someone other than root: /srv/logtools is 2775 0:1001" in said
