"""Where root's jobs write, what Apache follows under a served root, and what an allowed sudo wrapper hands on, as
pure logic over facts (issue 17: three classes a blind fault set found): a path root's job writes or creates is
judged by who may change the directory it is in (a link put there redirects root's write); a link under a served
directory that Apache follows by the Options in force is judged by where it leads; a root script a sudo rule runs
is read for the arguments its caller gives reaching a command. None keys on a fault's file name, path or program:
each test tries the blind set's member and others of its class; each was also shown on containers."""

from __future__ import annotations

import copy
import stat

import pytest
from stock import outcome
from test_rootacts import RECORDED, STOCK, D, F, L, allowing

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import parse, rootacts
from deploytests.verify.facts import Facts
from deploytests.verify.promises import Expected

STOCK = STOCK["debian12"]
R = "/var/www/yourapplication"
APP_UID = 999  # the app user of the recorded host's /etc/passwd


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def host(files=None, texts=None, sudoers=(), served=None) -> Facts:
    """The recorded clean host with a snapshot holding its root files' texts (as root's, 0644), the directories
    above them and ``files`` ({path: (mode with type, uid, text or "-> target" or None)}), ``texts`` ({path: text},
    root's, 0644), the sudoers ``rules`` and the login collector's ``served`` walk."""
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    raw = {"files": {p: STOCK["files"][p] for p in ("/etc/passwd", "/etc/group")}, "dirs": {}, "served": served or {}}
    for t in facts.remote["inventory"]["texts"] + [{"path": p, "text": t} for p, t in (texts or {}).items()]:
        raw["files"][t["path"]] = {"st": [F | 0o644, 0, 0, len(t["text"]), 0, 1], "data": t["text"]}
    for path, (mode, uid, text) in (files or {}).items():
        entry = {"st": [mode, uid, uid, 1, 0, 2]}
        entry.update({"link": text[3:]} if text and text.startswith("-> ") else {"data": text} if text else {})
        raw["files"][path] = entry
    for path in [*(files or {}), *(texts or {})]:
        raw["dirs"].setdefault(path.rsplit("/", 1)[0] or "/", []).append(path.rsplit("/", 1)[1])
    for path in list(raw["files"]):
        up = path.rsplit("/", 1)[0] or "/"
        while up not in raw["files"]:
            raw["files"][up] = {"st": [D | 0o755, 0, 0, 1, 0, 3]}
            up = up.rsplit("/", 1)[0] or "/"
    facts.raw = parse.Snapshot(raw)
    facts.remote["inventory"]["sudoers"] += [{"file": "/etc/sudoers.d/app-ops", "line": n, "mode": "0440",
                                              "owner": "root", "text": t} for n, t in enumerate(sudoers, 1)]
    return facts


# ---------------------------------------------------------------- 1. where root's jobs write

@pytest.mark.parametrize("line, written", [
    ("pg_dump -Fc app > /srv/out/db.dump 2>&1", ["/srv/out/db.dump"]),
    ("pg_dump -Fc -f /srv/out/db.dump app", ["/srv/out/db.dump"]),
    ("mysqldump --result-file=/srv/out/db.sql app", ["/srv/out/db.sql"]),
    ("tar czf /srv/out/x.tgz -C /var/www/app shared", ["/srv/out/x.tgz"]),
    ("tar --create --file /srv/out/x.tar /etc", ["/srv/out/x.tar"]),
    ("du -sh /var/www | tee -a /srv/out/du.log >/dev/null", ["/srv/out/du.log", "/dev/null"]),
    ("curl -fsS -o /srv/out/feed.json https://example.org/feed", ["/srv/out/feed.json"]),
    ("dd if=/dev/sda of=/srv/out/mbr bs=512 count=1", ["/srv/out/mbr"]),
    ("cp -a /etc/app.conf /srv/out/", ["/srv/out"]),
    ("chown app /srv/out/db.dump", ["/srv/out/db.dump"]),
    ("sort -o /srv/out/sorted /etc/hosts", ["/srv/out/sorted"]),
    # after 'cd DIR', a relative output is DIR's
    ("cd /srv/out && tar czf data.tgz -C /var/www/app shared > log.txt", ["/srv/out/data.tgz", "/srv/out/log.txt"]),
    ("cd /srv/out; pg_dump --file=db.sql app", ["/srv/out/db.sql"]),
    # not written: what they name is read, removed (a link, not what it leads to) or tested
    ("tar -xzf /srv/in/x.tgz -C /opt", []),
    ("unzip -o /srv/in/x.zip -d /opt", []),
    ("rm -f /srv/out/x.lock", []),
    ("find /srv/out -mindepth 1 -delete", []),
    ("grep -o /srv/out /etc/hosts", []),
    ("echo done 2>&1", []),
])
def test_where_a_command_writes_is_read_from_its_shape(line, written):
    assert [p for how, p in rootacts._words(line) if how.startswith("writes")] == written


OUT = "/srv/out"


@pytest.mark.parametrize("job, script, owner, mode, caught", [
    # blind12b a12: the allowed backup job's script writes into a directory handed to the app user
    ("15 3 * * * root /usr/local/sbin/app-backup",
     f"#!/bin/sh\nset -e\numask 077\ntar czf {OUT}/data.tgz -C {R}/shared data\n", APP_UID, 0o700, True),
    ("15 3 * * * root /usr/local/sbin/app-backup",
     f"#!/bin/sh\nset -e\numask 077\ntar czf {OUT}/data.tgz -C {R}/shared data\n", 0, 0o700, False),
    ("15 3 * * * root /usr/local/sbin/app-backup",  # a relative name after a 'cd' line of the script
     f"#!/bin/sh\ncd /srv\nset -e\ntar czf out/data.tgz -C {R}/shared data\n", APP_UID, 0o700, True),
    # other members: a dump's -f, tee's operand, a copy's destination dir, a group that may write, the app's tree
    (f"0 3 * * * root pg_dump -Fc -f {OUT}/db.dump app", None, APP_UID, 0o755, True),
    (f"0 3 * * * root du -sh {R}/shared/data | tee {OUT}/usage.txt >/dev/null", None, APP_UID, 0o755, True),
    (f"0 3 * * * root cp -a /etc/hosts {OUT}/", None, APP_UID, 0o755, True),
    (f"0 3 * * * root date > {OUT}/stamp", None, 0, 0o775 | stat.S_ISGID, True),
    (f"0 3 * * * root pg_dump -Fc app > {R}/shared/backups/db.dump", None, 0, 0o755, True),
    ("0 3 * * * root cd /srv && pg_dump -Fc -f out/db.dump app", None, APP_UID, 0o755, True),  # relative, after cd
    # root's own directory, and a sticky one of root's (the kernel's protected_symlinks/regular guard /tmp)
    (f"0 3 * * * root pg_dump -Fc -f {OUT}/db.dump app", None, 0, 0o700, False),
    ("0 3 * * * root date > /tmp/stamp", None, 0, 0o1777, False),
    # an admin's own directory (a login sudoers lets become root): as root's; the same dir, group-writable: not
    (f"0 3 * * * root pg_dump -Fc -f {OUT}/db.dump app", None, 1000, 0o755, False),
    (f"0 3 * * * root pg_dump -Fc -f {OUT}/db.dump app", None, 1000, 0o775, True),
    # the app user, whom a sudo rule lets run one command as root (its reload): not an admin
    (f"0 3 * * * root pg_dump -Fc -f {OUT}/db.dump app", None, APP_UID, 0o700, True),
])
def test_a_root_job_writing_where_others_may_write_fails_whatever_is_allowed(exp, job, script, owner, mode, caught):
    """A root job that writes or creates a file in a directory someone but root may change (the app user's, a
    group's, the app's tree): that account puts a link there and root truncates or overwrites the file it leads to.
    allow_cron accounts for the job, not for where it writes; one line per job."""
    out = "/tmp" if "/tmp/" in job else OUT
    files = {out: (D | mode, owner, None), "/etc/sudoers": (F | 0o440, 0, "appuser ALL=(ALL) NOPASSWD: ALL\n"
                                                                     "yourapplication ALL=(root) NOPASSWD: "
                                                                     "/usr/local/sbin/app-reload\n")}
    texts = {"/etc/cron.d/app-job": "SHELL=/bin/sh\n" + job + "\n"}
    if script:
        texts["/usr/local/sbin/app-backup"] = script
        files["/usr/local/sbin/app-backup"] = (F | 0o755, 0, script)
    facts = host(files, texts)
    msg = outcome("cw_schedules", facts, allowing(exp, cron=("/etc/cron.d/app-job",)))
    assert "app-backup" not in outcome("cw_load_path", facts, exp)  # (the job's line: one cause, one line)
    if not caught:
        assert msg == "pass", msg
        return
    where = f"{R}/shared/backups" if f"{R}/shared/backups" in job else OUT
    assert msg.count("- /etc/cron.d/app-job:2: ") == 1 and f"writes {where}" in msg and "puts a link in its place" \
        in msg and "no allowance accounts for" in msg, msg
    assert "/usr/local/sbin/app-backup:4" in msg if script else True, msg


def test_a_place_root_acts_later_writing_where_the_app_writes_fails(exp):
    """Another place than cron: a motd script (pam_motd runs it as root at every SSH login) stamping into a dir the
    app user owns; root's own dir passes."""
    from test_rootacts import host as stock_host

    for owner, caught in ((APP_UID, True), (0, False)):
        facts = stock_host(files={"/etc/update-motd.d/60-status": (F | 0o755, 0, "#!/bin/sh\ndate > "
                                                                   "/var/lib/app-status/last-login\n")},
                           dirs={"/etc/update-motd.d": ["60-status"]})
        facts.raw.files.update({"/var/lib": {"st": [D | 0o755, 0, 0, 1, 0, 3]},
                                "/var/lib/app-status": {"st": [D | 0o755, owner, owner, 1, 0, 3]}})
        msg = outcome("cw_root_acts", facts, allowing(exp, cron=("/etc/update-motd.d/60-status",)))
        assert ("/etc/update-motd.d/60-status:2: " in msg and "writes /var/lib/app-status/last-login" in msg and
                "no allowance accounts for" in msg) == caught, msg


# ---------------------------------------------------------------- 2. links under a served root

STATUS = ("<VirtualHost *:80>\n ServerName status.example.com\n DocumentRoot /var/www/status\n"
          " <Directory /var/www/status>\n  Require all granted\n{opts} </Directory>\n"
          " Alias /docs /srv/docs\n <Directory /srv/docs>\n  Require all granted\n </Directory>\n</VirtualHost>\n")


def served_host(links: dict, opts: str = "", owners: dict | None = None) -> Facts:
    """The recorded host with the status site above enabled and ``links`` ({link: target}) under its roots."""
    path = "/etc/apache2/sites-enabled/zz-status.conf"
    facts = host({link: (L | 0o777, (owners or {}).get(link, 0), "-> " + to) for link, to in links.items()} |
                 {to: (D | 0o755, (owners or {}).get(to, 0), None) for to in links.values() if to.startswith("/")},
                 {path: STATUS.format(opts=opts)},
                 served={top: [lk for lk in links if lk.startswith(top + "/")] for top in ("/var/www/status",
                                                                                          "/srv/docs")})
    facts.remote["inventory"]["apache"]["includes"].append({"at": "222", "path": path, "depth": 4,
                                                            "from": "/etc/apache2/apache2.conf"})
    return facts


@pytest.mark.parametrize("links, opts, owners, caught", [
    ({"/var/www/status/app": R}, "", None, "the app's tree"),  # blind12b a06 (Debian's <Directory /var/www/>)
    ({"/srv/docs/apache-conf": "/etc/apache2"}, "", None, "outside what it serves"),  # an Alias's dir, no
    # <Directory> naming FollowSymLinks: Apache's default (and Debian's <Directory />) follows
    ({"/var/www/status/sub/app": R}, "", None, "the app's tree"),  # deeper
    ({"/var/www/status/home.html": "index.html"}, "", None, None),  # inside what it serves
    ({"/var/www/status/app": R}, "  Options -FollowSymLinks\n", None, None),  # Apache refuses it
    ({"/var/www/status/app": R}, "  Options None\n", None, None),
    ({"/var/www/status/app": R}, "  Options SymLinksIfOwnerMatch\n", {R: 1001}, None),  # owners differ
    ({"/var/www/status/app": R}, "  Options SymLinksIfOwnerMatch\n", {R: 1001, "/var/www/status/app": 1001},
     "the app's tree"),
])
def test_a_link_under_a_served_root_that_apache_follows_out_of_it_fails(exp, links, opts, owners, caught):
    facts = served_host(links, opts, owners)
    msg = outcome("cw_served", facts, allowing(exp, apache_conf=("/etc/apache2/sites-enabled/zz-status.conf",),
                                               sites=("status.example.com",)))
    if caught is None:
        assert msg == "pass", msg
        return
    link, to = next(iter(links.items()))
    assert f"{link} there is a link to {to} ({caught}" in msg and "Apache follows it" in msg, msg


def test_options_in_force_merge_as_apaches_do():
    from deploytests.verify.mechanisms import apache_directives, symlinks_followed

    conf = ("<Directory />\n Options FollowSymLinks\n</Directory>\n<Directory /var/www/>\n Options Indexes "
            "FollowSymLinks\n</Directory>\n<Directory /var/www/a>\n Options -FollowSymLinks +SymLinksIfOwnerMatch\n"
            "</Directory>\n<Directory /var/www/a/b>\n Options +FollowSymLinks\n</Directory>\n<Directory /srv>\n"
            " Options None\n</Directory>\n")
    found = apache_directives({"/etc/apache2/apache2.conf": conf}, [{"path": "/etc/apache2/apache2.conf"}])
    assert symlinks_followed(found, None, "/var/www/html")[0] == "followsymlinks"
    assert symlinks_followed(found, None, "/var/www/a/x")[0] == "symlinksifownermatch"
    assert symlinks_followed(found, None, "/var/www/a/b/c")[0] == "followsymlinks"
    assert symlinks_followed(found, None, "/srv/x")[0] == ""
    assert symlinks_followed([], None, "/opt")[0] == "followsymlinks"  # Apache's own default


# ---------------------------------------------------------------- 3. an allowed sudo wrapper forwarding arguments

RULE = "yourapplication ALL=(root) NOPASSWD: /usr/local/sbin/app-ctl"


@pytest.mark.parametrize("script, rule, caught", [
    ('#!/bin/sh\nexec /usr/sbin/apache2ctl "${@:-graceful}"\n', RULE, True),  # blind12b a10
    ('#!/bin/bash\nfor d in "$@"; do rm -rf -- "/var/cache/app/$d"; done\n', RULE, True),  # a loop variable
    ('#!/bin/sh\nARGS="$*"\nsystemctl restart $ARGS\n', RULE, True),  # a variable set from them
    ('#!/bin/sh\n[ -f "$1" ] && cp "$1" /etc/app/\n', RULE, True),  # a test, then the use
    ('#!/bin/sh\ncase "$1" in\n start|stop) systemctl "$1" app ;;\nesac\n', RULE, True),  # checked, still handed on
    ('#!/usr/bin/python3\nimport subprocess, sys\nsubprocess.run(["rsync", *sys.argv[1:]])\n', RULE, True),
    ('#!/bin/sh\nexec /usr/sbin/apache2ctl graceful\n', RULE, False),  # fixed arguments
    ('#!/bin/sh\n[ "$#" -eq 0 ] || exit 1\necho "flushing"\nfind /var/cache/app -mindepth 1 -delete\n', RULE, False),
    ('#!/bin/sh\nexec /usr/sbin/apache2ctl "$1"\n', RULE + " graceful", False),  # the rule fixes them
    ('#!/bin/sh\nexec /usr/sbin/apache2ctl "$1"\n', RULE + " *", True),  # a wildcard does not
])
def test_an_allowed_sudo_wrapper_handing_its_arguments_on_fails_whatever_is_allowed(exp, script, rule, caught):
    facts = host({"/usr/local/sbin/app-ctl": (F | 0o755, 0, script)}, sudoers=[rule])
    msg = outcome("cw_sudoers", facts, allowing(exp, sudo=(rule,)))
    if not caught:
        assert msg == "pass", msg
        return
    assert "/etc/sudoers.d/app-ops:1: " in msg and "hands the arguments its caller gives on" in msg and \
        "/usr/local/sbin/app-ctl:" in msg and "allow_sudo accounts for the line, not for what it reaches" in msg, msg
