"""Mechanisms present but not in effect (a blind fault set written from the docs only, before its writer read the
gate): a process the pipeline relies on that is stopped by a signal, a sudo rule the deploys rely on that sudo does
not apply. Each was missed by the gate before (shown failing here first); the other members are in the tests."""

from __future__ import annotations

import pytest
from stock import outcome

from tests.unit.test_closed_world import clean_facts, exp  # noqa: F401 - the fixture

# ---------------------------------------------------------------- a relied-on process stopped (state T)

def test_a_stopped_daemon_fails_once_and_what_needs_apache_skips(exp):  # noqa: F811
    """Class: a process the pipeline relies on that is there but stopped (kill -STOP: state T) counts as running.
    The blind set's member: an app daemon stopped (its requests hang, no reload restarts it): one line, Apache's
    root check; what needs Apache (the daemons' checks, every HTTP check) skips naming it."""
    facts = clean_facts()
    assert outcome("apache", facts, exp) == "pass"
    facts.remote["daemons"][0]["state"] = "T"
    pid = facts.remote["daemons"][0]["pid"]
    found = outcome("apache", facts, exp)
    assert found.startswith(f"fail: Apache runs on docker://web-1 but pid {pid} (yourapplication, ") and \
        "is stopped (state T: kill -STOP)" in found and "kill -CONT" in found, found
    for check in ("daemon_code", "health", "homepage"):
        assert outcome(check, facts, exp).startswith("skip: Apache does not run on docker://web-1: pid ") and \
            "(the root failure is test_apache_running)" in outcome(check, facts, exp), check
    facts.remote["daemons"][0]["state"] = "t"  # a tracer's stop: the trace rule's line, not this one
    assert outcome("apache", facts, exp) == "pass"


@pytest.mark.parametrize("who", ["parent", "worker"])
def test_a_stopped_apache_parent_or_worker_fails(exp, who):  # noqa: F811
    """Other members, written after reading the gate: Apache's root parent stopped (no reload reaches it: the
    deploys' graceful is a signal) and one of its workers stopped (the connections it holds hang)."""
    facts = clean_facts()
    procs = facts.remote["apache"]
    target = next(p for p in procs if (p["user"] == "root") == (who == "parent"))
    target["state"] = "T"
    found = outcome("apache", facts, exp)
    assert found.startswith(f"fail: Apache runs on docker://web-1 but pid {target['pid']} (") and \
        ("no reload" in found) == (who == "parent") and "kill -CONT" in found, found


# ---------------------------------------------------------------- the deploys' sudo rule not in force

LISTING = ("Matching Defaults entries for appuser on web:\t    env_reset\t\tUser appuser may run the following "
           "commands on web:\t    (yourapplication) NOPASSWD: /var/www/yourapplication/releases/*/venv/bin/python\t")


def test_the_deploy_rule_sudo_does_not_apply_fails_when_the_gates_login_is_the_deploy_login(exp):  # noqa: F811
    """Class: the sudo rule deploys rely on is on disk and exact, but sudo does not apply it. The blind set's
    member: the @includedir line dropped from /etc/sudoers (sudo then asks the deploy login a password for
    everything, and the root checks skip: the gate passed). Other members: the rule file moved into a
    subdirectory of /etc/sudoers.d (sudo reads none): the same listing, nothing of it; a later line for the app
    user asking a password (sudo takes the last matching line)."""
    facts = clean_facts()
    facts.remote.update(login="appuser", as_root=False, sudo_refused="sudo: a password is required",
                        sudo_list="sudo: a password is required")
    found = outcome("sudo", facts, exp)
    assert found.startswith("fail: sudo asks the deploy login appuser a password on docker://web-1 and does not "
                            "apply bootstrap's rule (appuser may run /var/www/yourapplication/releases/*/venv/bin/"
                            "python as yourapplication, NOPASSWD"), found
    facts.remote["sudo_list"] = LISTING  # a deploy login without root (least privilege): its rule applied
    assert outcome("sudo", facts, exp).startswith("skip: appuser has no passwordless sudo")
    facts.remote["sudo_list"] = LISTING + "    (yourapplication) PASSWD: ALL\t"  # shadowed: the last line asks one
    assert "its sudo -n -l lists no such rule" in outcome("sudo", facts, exp)  # (sudo takes the last matching line)
    facts.remote.update(login="reader", sudo_list="sudo: a password is required")  # a read-only gate's own login
    assert outcome("sudo", facts, exp).startswith("skip: reader has no passwordless sudo")


# ---------------------------------------------------------------- copies of the password hashes left around

SHADOW = (b"root:$y$j9T$Kq3kq1U0hmGf0vP7Qe9r6.$0bq3r4wtY2m0v2J0mNq0mZ5Wm7z2rY8C2m9sQ0c7W3D:20400:0:99999:7:::\n"
          b"daemon:*:20400:0:99999:7:::\n")


def test_a_copy_of_the_password_hashes_others_read_is_found_by_content():
    """Class: copies of the host's password hashes where copies are left, judged by the file's name (/etc/shadow,
    its '-' backup) and not by what it holds. The blind set's member: ``cp /etc/shadow /var/backups/shadow.before-
    edit`` (0644). Other members, written after reading the gate: a line of it pasted into a note in a home
    (bcrypt, another account), an SHA-512 one in /tmp; a 0600 copy, a file of locked accounts only, and one
    behind a directory others may not enter pass."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from deploytests.verify.reader import hash_copies

    tmp_path = Path(tempfile.mkdtemp(prefix="hash-copies-", dir="/tmp"))  # (others must enter every dir above)
    tmp_path.chmod(0o755)
    copy = tmp_path / "shadow.before-edit"
    copy.write_bytes(SHADOW)
    note = tmp_path / "notes.txt"
    note.write_bytes(b"todo: reset\nops:$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW:20400:0:9"
                     b"9999:7:::\n")
    sha = tmp_path / "accounts"
    sha.write_bytes(b"alice:$6$saltsalt$" + b"a" * 86 + b":20400::::::\n")
    closed = tmp_path / "closed.bak"
    closed.write_bytes(SHADOW)
    closed.chmod(0o600)
    locked = tmp_path / "locked"
    locked.write_bytes(b"daemon:*:20400:0:99999:7:::\nbin:!:20400::::::\n")
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    (hidden / "shadow").write_bytes(SHADOW)
    found = [(str(p), os.lstat(p)) for p in (copy, note, sha, closed, locked, hidden / "shadow")]
    names = sorted(c["path"].rsplit("/", 1)[1] for c in hash_copies(
        [(p, st) for p, st in found if st.st_mode & 0o004]))
    shutil.rmtree(tmp_path)
    assert names == ["accounts", "notes.txt", "shadow.before-edit"], names


def test_a_hash_copy_is_a_secret_line(exp):  # noqa: F811
    from tests.unit.test_become_and_baseline import host

    facts = host()
    assert outcome("sec_secrets", facts, exp) == "pass"
    facts.remote.setdefault("tree_inventory", {})["hash_copies"] = [
        {"path": "/var/backups/shadow.before-edit", "mode": "0644", "owner": "root"}]
    found = outcome("sec_secrets", facts, exp)
    assert "- /var/backups/shadow.before-edit (0644 root): password hashes (a line of an account with its crypt(5) " \
           "hash" in found, found


def test_a_copy_of_the_apps_private_data_others_read_is_a_secret_line(exp):  # noqa: F811
    """Class (blind: the app's users database, written 0660 in shared/, copied by hand to /var/backups 0644 before a
    migration: the gate passed; copies were looked for only of the config and of /etc/shadow): a copy, by content,
    of any file of the app's shared data others may not read, left where every local user reads it. Other
    members: an upload copied to /tmp under another name; a 0600 copy, a copy behind a directory others may not
    enter, and a file others could already read (no secret) pass; only a file of a private one's size is read."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from deploytests.verify.reader import private_copies
    from tests.unit.test_become_and_baseline import host

    tmp_path = Path(tempfile.mkdtemp(prefix="private-copies-", dir="/tmp"))  # (others must enter every dir above)
    tmp_path.chmod(0o755)
    shared, out = tmp_path / "shared", tmp_path / "backups"
    shared.mkdir(mode=0o770)
    out.mkdir(mode=0o755)
    db, upload, public = shared / "users.db", shared / "id-scan.pdf", shared / "robots.txt"
    db.write_bytes(b"id,email,pwhash\n1,alice@example.com,pbkdf2:sha256:600000$salt$hash\n")
    upload.write_bytes(b"%PDF-1.4 passport scan\n")
    public.write_bytes(b"User-agent: *\nDisallow:\n")
    for f in (db, upload):
        f.chmod(0o660)
    public.chmod(0o644)
    copies = {"users.db.2026-12-07": (db, 0o644), "scan": (upload, 0o644), "users.db.closed": (db, 0o600),
              "robots.bak": (public, 0o644)}
    for name, (src, mode) in copies.items():
        (out / name).write_bytes(src.read_bytes())
        (out / name).chmod(mode)
    hidden = tmp_path / "root-only"
    hidden.mkdir(mode=0o700)
    (hidden / "users.db").write_bytes(db.read_bytes())
    (hidden / "users.db").chmod(0o644)
    private = [(str(p), os.lstat(p)) for p in (db, upload)]
    found = [(str(p), os.lstat(p)) for p in list(out.iterdir()) + [hidden / "users.db", public]]
    got = sorted((c["path"].rsplit("/", 1)[1], c["of"].rsplit("/", 1)[1]) for c in private_copies(
        private, [(p, st) for p, st in found if st.st_mode & 0o004]))
    shutil.rmtree(tmp_path)
    assert got == [("scan", "id-scan.pdf"), ("users.db.2026-12-07", "users.db")], got

    facts = host()
    facts.remote.setdefault("tree_inventory", {})["private_copies"] = [
        {"path": "/var/backups/users.db.2026-12-07", "mode": "0644", "owner": "root",
         "of": "/var/www/yourapplication/shared/users.db"}]
    found_ = outcome("sec_secrets", facts, exp)
    assert "- /var/backups/users.db.2026-12-07 (0644 root): a copy, by content (sha256), of /var/www/" \
           "yourapplication/shared/users.db, the app's data others may not read" in found_, found_


def test_a_private_key_every_local_user_reads_is_a_secret_line(exp):  # noqa: F811
    """Class (blind: the site's TLS private key kept for its load balancer, /etc/ssl/private opened 0755 and the key
    0644: the gate passed; only SSH host keys and the password hashes were judged by mode): a private key anywhere
    under /etc, found by its key block whatever its name, that every local user reads. Other members: an RSA PKCS#1
    key under another name and directory; a 0600 key, one behind a directory others may not enter, and a file that
    only names the header (a comment) pass."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from deploytests.verify import collect_login
    from tests.unit.test_become_and_baseline import host

    tmp_path = Path(tempfile.mkdtemp(prefix="private-keys-", dir="/tmp"))  # (others must enter every dir above)
    tmp_path.chmod(0o755)
    ed = subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519"], capture_output=True, check=True).stdout
    rsa = subprocess.run(["openssl", "genrsa", "-traditional", "2048"], capture_output=True, check=True).stdout
    etc = tmp_path / "etc"
    for d, mode in (("ssl/private", 0o755), ("lb", 0o755), ("closed", 0o700)):
        (etc / d).mkdir(parents=True)
        (etc / d).chmod(mode)
    etc.chmod(0o755)
    (etc / "ssl").chmod(0o755)
    files = {"ssl/private/www.example.com.key": (ed, 0o644), "lb/backend.pem": (rsa, 0o644),
             "ssl/private/kept.key": (ed, 0o600), "closed/x.key": (ed, 0o644),
             "lb/README": (b"# put the -----BEGIN RSA PRIVATE KEY----- block in backend.pem\n", 0o644)}
    for name, (data, mode) in files.items():
        (etc / name).write_bytes(data)
        (etc / name).chmod(mode)
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    collect_login.mentions(out, "/var/www/yourapplication", top=str(etc))
    got = sorted(p[len(str(etc)) + 1:] for p, *_ in out["private_keys"])
    shutil.rmtree(tmp_path)
    assert got == ["lb/backend.pem", "ssl/private/www.example.com.key"], got

    facts = host()
    assert outcome("sec_secrets", facts, exp) == "pass"
    facts.raw.raw["private_keys"] = [["/etc/ssl/private/www.example.com.key", 0o100644, 0, 0]]
    found = outcome("sec_secrets", facts, exp)
    assert "- /etc/ssl/private/www.example.com.key (0644 root:root): a private key (its PEM or OpenSSH block) that " \
           "every local user reads" in found, found


@pytest.mark.parametrize("path, entry, said", [
    ("/var/log/wtmp", (0o120777, "-> /dev/null"), "a link to /dev/null: the server keeps no record of who logged in"),
    ("/var/log/btmp", (0o120777, "-> ../../dev/null"), "a link to ../../dev/null"),
    ("/var/log/lastlog", (0o020666, ""), "not a regular file"),  # (a device made in its place: mknod c 1 3)
    ("/var/log/wtmp", (0o100666, ""), "every local user may write it: anyone forges or erases the records"),
])
def test_the_login_records_discarded_or_open_to_all_fail(exp, path, entry, said):  # noqa: F811
    """Class (blind: wtmp, btmp and lastlog linked to /dev/null, "they filled the disk": no record of who logged in,
    from where, or who failed; the gate passed): the server's login records discarded (a link, a device) or
    writable by everyone. Other members: a relative link, a character device made in lastlog's place, a 0666
    wtmp. Debian's own (0664/0660 root:utmp files) and a record not there pass."""
    from tests.unit.test_become_and_baseline import host

    mode, target = entry
    stock = host(files={"/var/log/apache2": (0o040750, 0, 4), "/var/log/wtmp": (0o100664, 0, 43),
                        "/var/log/btmp": (0o100660, 0, 43)})
    assert outcome("sec_logs", stock, exp) == "pass"
    facts = host(files={"/var/log/apache2": (0o040750, 0, 4), path: (mode, 0, 43)})
    if target:
        facts.raw.files[path]["link"] = target[3:]
    found = outcome("sec_logs", facts, exp)
    assert found.startswith("fail") and f"- {path} (" in found and said in found, found


@pytest.mark.parametrize("path, text, said", [
    # sec22's blind fault: journald told to keep nothing (Storage=none), "the disk kept filling up"
    ("/etc/systemd/journald.conf.d/10-nolog.conf", "[Journal]\n# the disk kept filling up\nStorage=none\n",
     "/etc/systemd/journald.conf.d/10-nolog.conf:3: Storage=none"),
    # the other members, written after reading the gate: the journal keeping warnings only (sshd's logins are info,
    # sudo's commands notice), set in journald.conf itself; and in a drop-in of /usr/local/lib's dir, by number
    ("/etc/systemd/journald.conf", "[Journal]\nMaxLevelStore=warning\n",
     "/etc/systemd/journald.conf:2: MaxLevelStore=warning"),
    ("/usr/local/lib/systemd/journald.conf.d/quiet.conf", "[Journal]\nMaxLevelStore=3\n",
     "/usr/local/lib/systemd/journald.conf.d/quiet.conf:2: MaxLevelStore=3")])
def test_the_system_journal_told_to_keep_no_login_records_fails(exp, path, text, said):  # noqa: F811
    """Class: the server's own records switched off by the system logger's configuration: journald keeping nothing
    (``Storage=none``) or nothing below a warning (``MaxLevelStore`` under ``info``: sshd's logins, sudo's commands),
    the last setting in systemd's order winning. Debian's journald.conf (all comments), a persistent journal with a
    size cap, and a later drop-in setting it back, pass."""
    from tests.unit.test_become_and_baseline import host

    base = {"/var/log/apache2": (0o040750, 0, 4)}
    fine = {**base, "/etc/systemd/journald.conf": "[Journal]\n#Storage=auto\n#MaxLevelStore=debug\n",
            "/etc/systemd/journald.conf.d/10-keep.conf": "[Journal]\nStorage=persistent\nSystemMaxUse=500M\n"}
    assert outcome("sec_logs", host(files=fine), exp) == "pass"
    found = outcome("sec_logs", host(files={**fine, path: text}), exp)
    assert found.startswith("fail") and f"- {said}: " in found, found
    later = {**fine, path: text, "/etc/systemd/journald.conf.d/zz-back.conf": "[Journal]\nStorage=auto\n"
             "MaxLevelStore=debug\n"}
    assert outcome("sec_logs", host(files=later), exp) == "pass"
