"""Blind round 5's classes 6-8 and M7 on a real server (issue 17): each fault is a member of its class this
project wrote (not the blind round's), run on its own container of a deployed snapshot with a clean host as the
control (:func:`campaigns.assert_caught_by_their_rules`).

- class 6, the rollback check's reference out of the deploy login's reach: a dependency's module in the previous
  release changed by the deploy login, with its RECORD line and SNAPSHOT.json rewritten to match; only the
  artifact the runner packed (its cache, by sha256) still tells (``rollback_ready``);
- class 7, secrets readable by others beyond the named files: a copy of the config, by another name, left in a
  kept release others may enter; root's home opened (``sec_secrets``);
- class 8, the SSH crypto baseline: a CBC cipher put first (``^``) and a SHA-1 key exchange added (``sec_ssh_crypto``);
- M7's other side, a library the dynamic linker reads through a link in its own directory into a tree another
  account owns (``cw_load_path``); the subdirectory it never searches is a unit test (test_load_path_rollback).
"""

from __future__ import annotations

import pytest
from campaigns import assert_caught_by_their_rules

from deploytests.faults.catalogue import Fault

pytestmark = pytest.mark.integration

# the deploy login rewrites a kept release and every record of it it can reach (no braces: .format() fills the rest)
REWRITE = (
    "import base64, hashlib, json, pathlib; r = pathlib.Path('{root}/releases/{prev}'); v = r / 'venv'; "
    "f = next(v.glob('lib/python*/site-packages/jinja2/utils.py')); "
    "f.write_bytes(f.read_bytes() + b'\\n_probe = __import__(\\'os\\').environ\\n'); "
    "[c.unlink() for c in f.parent.glob('__pycache__/utils.*.pyc')]; "
    "h = base64.urlsafe_b64encode(hashlib.sha256(f.read_bytes()).digest()).rstrip(b'=').decode(); "
    "rec = next(v.glob('lib/python*/site-packages/[Jj]inja2-*.dist-info/RECORD')); "
    "rec.write_text(''.join(('jinja2/utils.py,sha256=' + h + ',' + str(f.stat().st_size) + chr(10)) "
    "if ln.startswith('jinja2/utils.py,') else ln + chr(10) for ln in rec.read_text().splitlines())); "
    "s = json.loads((r / 'SNAPSHOT.json').read_text()); "
    "s['files'] = dict((k, x) for k, x in s['files'].items() if 'jinja2/__pycache__/utils.' not in k); "
    "s['files'].update((str(p.relative_to(v)), hashlib.sha256(p.read_bytes()).hexdigest()) for p in (f, rec)); "
    "(r / 'SNAPSHOT.json').write_text(json.dumps(s))")

MEMBERS = (
    Fault("kept-release-and-its-records-rewritten", "rollback_ready", "the deploy login changes a dependency's "
          "module in the previous release and rewrites its RECORD line and SNAPSHOT.json to match",
          f"runuser -u {{deploy_user}} -- python3 -c \"{REWRITE}\""),
    Fault("config-copy-in-a-kept-release", "sec_secrets", "a copy of the config, renamed, left world-readable in the "
          "previous release (others enter the releases)", "cp {config} {root}/releases/{prev}/settings.orig; "
          "chown {deploy_user} {root}/releases/{prev}/settings.orig; chmod 0644 {root}/releases/{prev}/settings.orig"),
    Fault("roots-home-opened", "sec_secrets", "root's home opened to everyone (0755)", "chmod 0755 /root"),
    Fault("ssh-cbc-first-and-sha1-kex", "sec_ssh_crypto", "sshd_config puts a CBC cipher first and adds a SHA-1 "
          "key exchange for an old client", "printf 'Ciphers ^aes128-cbc\\nKexAlgorithms "
          "+diffie-hellman-group14-sha1\\n' >> /etc/ssh/sshd_config"),
    Fault("ld-dir-link-into-anothers-tree", "cw_load_path", "a root-owned .so link in /usr/local/lib to a library "
          "in a tree the app user owns", "mkdir -p /opt/vendor/lib; cp $(ls /usr/lib/*/libz.so.1 | head -n 1) "
          "/opt/vendor/lib/libvz.so.1; chown -R {app_user} /opt/vendor; "
          "ln -s /opt/vendor/lib/libvz.so.1 /usr/local/lib/libvz.so.1"),
)


def test_blind5_classes_members_are_caught_and_the_clean_host_passes(tmp_path):
    assert_caught_by_their_rules(tmp_path, "debian12", MEMBERS, batch=3)
