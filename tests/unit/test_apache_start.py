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


@pytest.mark.parametrize("munin, refused", [((D, 0, 0), False), ((s.S_IFDIR | 0o775, 0, 1001), True)])
@pytest.mark.parametrize("hop", ["conf-available", "sites-available"])
def test_a_config_link_to_a_packages_link_is_followed_hop_by_hop(munin, refused, hop):
    """Class: a link in Apache's configuration whose target is itself a link was "may be changed by someone other
    than root" (one hop followed, and a link is no root's file): Debian's munin ships
    conf-available/munin.conf -> ../../munin/apache24.conf and a2enconf links conf-enabled/munin.conf to it, so
    installing munin made root refuse Apache's run, no allowance, 13 tests skipped (measured on Debian 12 and 13).
    Each hop's directory and the file reached must be root's: its directory writable by another group is still
    refused. Other member: a site enabled the same way (phpmyadmin, nagios4-cgi ship such links)."""
    end = "/etc/munin/apache24.conf"
    extra = {f"/etc/apache2/{hop}": {"st": [D, 0, 0, 0, 0, 0]},
             f"/etc/apache2/{hop}/munin.conf": {"st": [LN, 0, 0, 0, 0, 0], "link": "../../munin/apache24.conf"},
             "/etc/apache2/conf-enabled/munin.conf": {"st": [LN, 0, 0, 0, 0, 0], "link": f"../{hop}/munin.conf"},
             "/etc/munin": {"st": [munin[0], munin[1], munin[2], 0, 0, 0]},
             end: {"st": [F, 0, 0, 0, 0, 0], "data": "Alias /munin /var/cache/munin/www\n"}}
    with mock.patch.object(collect_login, "read", side_effect=lambda out, p, *a: out["files"][p].get("data")):
        said = verdict("ServerName web.example.com", extra=extra)
    assert (said is not None and "may be changed by someone other than root" in said) is refused, said


@pytest.mark.parametrize("path, included", [
    ("/etc/apache2/.htpasswd", False),  # AuthUserFile's, 0640 root:www-data (the children read it, per request)
    ("/etc/apache2/ssl/site.key", False),  # another member: a TLS key kept in the ServerRoot, 0600 root's
    ("/etc/apache2/conf-enabled/zy.conf", True)])  # a file Apache reads as configuration: what it names must be known
def test_a_roots_file_of_the_server_root_the_login_may_not_read_refuses_only_when_apache_reads_it(path, included):
    """Class: a root's file under the ServerRoot the gate's login may not read was taken for configuration root
    reads, whatever includes it: an ``.htpasswd`` kept in /etc/apache2 as Apache's and many tutorials' examples do
    (``htpasswd -c /etc/apache2/.htpasswd``, made unreadable to others) made root refuse apache2ctl with no
    allowance to write (13 of the gate's tests skipped). What Apache reads as configuration is apache2.conf and
    what its ``Include*`` lines match; such a file is judged root's (its owner, its directories) as before, and
    read only when included."""
    extra = {path.rsplit("/", 1)[0]: {"st": [D, 0, 0, 0, 0, 0]}, path: {"st": [s.S_IFREG | 0o640, 0, 33, 0, 0, 0],
                                                                         "why": "Permission denied"}}
    with mock.patch.object(collect_login, "read", side_effect=lambda out, p, *a: out["files"][p].get("data")):
        said = verdict(f"AuthUserFile {path}", extra=extra)
    assert (said == f"{path} was not read here (Permission denied): what it names is not known") is included, said
    assert included or said is None, said


@pytest.mark.parametrize("line, named", [
    ("SSLPassPhraseDialog exec:/srv/logtools/ask-pass", "/srv/logtools/ask-pass"),  # root runs it at a start
    ("Mutex file:/srv/logtools default", "/srv/logtools"),  # root makes its lock files there
    ('CustomLog "|/srv/logtools/ship-log" combined', "/srv/logtools/ship-log"),  # root runs the piped logger
    ("ErrorLog ${APACHE_LOG_DIR}/../../../srv/logtools/e.log", "/srv/logtools/e.log"),  # envvars' value
    ("SSLCertificateKeyFile \\\n  /srv/logtools/k.pem", "/srv/logtools/k.pem"),  # a continued line
    ("WSGIDaemonProcess x python-home=/srv/root chroot=/srv/logtools/jail", "/srv/logtools/jail"),  # root chroots
    ("Mutex file:/tmp/locks default", "/tmp/locks"),  # not there, and anyone may make it
    ("SecAuditLog /srv/logtools/modsec_audit.log", "/srv/logtools/modsec_audit.log"),  # root's parent opens it
    ("SecDebugLog /tmp/modsec_debug.log", "/tmp/modsec_debug.log"),
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
    "SecTmpDir /tmp/", "SecDataDir /tmp/",  # ModSecurity's, per request (its recommended modsecurity.conf's lines)
    "SecUploadDir /srv/logtools/uploads",
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


def test_a_dollar_brace_no_define_or_shell_could_set_is_left_as_apache_leaves_it():
    """Class: every ``${...}`` was a variable to resolve, else a no; Apache substitutes a name a ``Define`` or the
    environment sets and leaves any other as it stands: modsecurity-crs's RCE rules (a regex's ``\\${|<\\(``) failed
    every server running the CRS with no allowance to write. A name a shell could set stays a no; one a Define sets
    is resolved and its path judged."""
    crs = 'SecRule ARGS "@rx (?:;|\\$\\(|`|\\${|<\\(|\\(\\s*\\))\\s*(?:{|\\s*)" "id:932100,phase:2,block"'
    assert verdict(crs) is None
    assert "${TOOLS_DIR} is not one this check can resolve" in (verdict("CustomLog ${TOOLS_DIR}/a.log c") or "")
    said = verdict("Define x|y /srv/root\nCustomLog ${x|y}/../logtools/a.log combined")
    assert said and "zz.conf:2: " in said and "/srv/logtools/a.log may be" in said, said


def test_a_link_on_the_way_is_followed_and_judged_where_it_leads():
    link = {"/srv/root/logs": {"st": [LN, 0, 0, 0, 0, 0], "link": "../logtools"}}
    said = verdict("CustomLog /srv/root/logs/a.log combined", extra=link)
    assert "/srv/root/logs/a.log may be changed by someone other than root: /srv/logtools is 2775 0:1001" in said


# A path inside a word is a path (class: the check read a command's words as paths joined to / and the ServerRoot,
# so "PYTHONPATH=/srv/logtools" became "/PYTHONPATH=/srv/logtools", a name not there -- root's to make -- and root's
# piped logger imported the deploy login's module at bootstrap's graceful; the same for --opt=/path and a : list)
@pytest.mark.parametrize("line", [
    'CustomLog "|/usr/bin/env PYTHONPATH=/srv/logtools /usr/bin/python3 -m shiplog" combined',  # a variable's value
    'ErrorLog "|/usr/bin/env --chdir=/srv/logtools /usr/bin/python3 -m shiplog"',  # an option's value
    'CustomLog "|/usr/bin/env PYTHONPATH=/srv/root:/srv/logtools /usr/bin/python3 -m x" combined',  # a : list
    "WSGIPythonPath /srv/root:/srv/logtools",  # a : list in an argument
    'RewriteMap m "prg:/usr/bin/env LD_PRELOAD=/srv/logtools/x.so /bin/cat"',  # prg:'s command, run without a shell
])
def test_a_path_inside_a_word_is_judged_as_the_program_reads_it(line):
    said = verdict(line)
    assert said and "/srv/logtools" in said and "may be" in said and "by someone other than root" in said, said


def test_a_path_glued_to_an_option_in_a_command_is_a_no():
    said = verdict('ErrorLog "|/usr/bin/python3 -X/srv/logtools/x"')
    assert "a path glued to something else" in (said or "") and "root runs nothing" in said, said


# A word's `key:` is a command only after `|`, `|$`, `exec:`, `prg:` (class: any `scheme:` was read as a command's,
# whose quote or `$` is a shell word this check cannot read, so root ran nothing: ModSecurity's rule actions
# `"id:1,msg:'...'"`, as modsecurity-crs ships them, read as a command `id:`, failed every server running the CRS with
# no allowance to write; its paths are still judged, the commands' shell words still a no)
@pytest.mark.parametrize("line", [
    'SecRule &TX:crs_setup_version "@eq 0" \\\n    "id:901001,\\\n    phase:1,\\\n    deny,\\\n'
    "    msg:'ModSecurity Core Rule Set is deployed without configuration! Please copy the template',\\\n"
    "    ver:'OWASP_CRS/3.3.4',\\\n    severity:'CRITICAL'\"",  # CRS's own layout: each action a continued line
    "SecAction \"id:900990,phase:1,nolog,pass,t:none,setvar:'tx.crs_setup_version=334'\"",  # crs-setup.conf
    "Header always set Content-Security-Policy \"default-src: 'self'\"",  # a value with a `key:` and a quote
])
def test_a_value_with_a_key_and_a_quote_is_no_command(line):
    assert verdict(line) is None


@pytest.mark.parametrize("line", ['CustomLog "|$cd ~ && ./ship" combined', "SSLPassPhraseDialog exec:~/ask",
                                  "RewriteMap m \"prg:$HOME/map\""])
def test_a_shell_word_in_a_command_stays_a_no(line):
    assert "a shell word this check cannot read" in (verdict(line) or ""), verdict(line)


def test_a_path_in_a_value_with_a_key_is_still_judged():
    said = verdict("SecRule ARGS \"@rx x\" \"id:1,phase:1,msg:'a b',exec:/srv/logtools/run.lua\"")
    assert said and "/srv/logtools/run.lua may be" in said, said


def envvars(text: str) -> str | None:
    """The verdict on a server whose envvars (which apache2ctl sources as root first) is ``text``."""
    extra = {"/etc/apache2/envvars": {"st": [F, 0, 0, 0, 0, 0], "data": text}}
    return verdict("ServerName x", extra=extra)


@pytest.mark.parametrize("line, named", [
    ("export PATH=/srv/logtools/bin:/usr/sbin:/usr/bin:/sbin:/bin", "/srv/logtools/bin"),  # apache2ctl runs `id` there
    ("export LD_LIBRARY_PATH=/srv/logtools", "/srv/logtools"),  # apache2 loads its libraries from there
    ("APACHE_ULIMIT_MAX_FILES='/srv/logtools/raise-nofile'", "/srv/logtools/raise-nofile"),  # apache2ctl runs it
    ("export LD_PRELOAD=/srv/logtools/x.so", "/srv/logtools/x.so"),
])
def test_a_path_envvars_names_in_any_line_is_judged(line, named):
    said = envvars("unset HOME\n" + line + "\n")
    assert said and said.startswith("/etc/apache2/envvars:2: ") and f"{named} may be" in said, said


def test_envvars_a_path_built_from_a_variable_is_a_no_and_the_stock_file_passes():
    assert "a path built from a variable" in (envvars("export PATH=$HOME/bin:$PATH\n") or "")
    for stack, recorded in STOCK.items():
        assert envvars(recorded["files"]["/etc/apache2/envvars"]["data"]) is None, stack


def test_the_stock_lock_dir_is_accepted_as_apache_s_run_user_s_in_a_sticky_directory():
    """Debian's envvars names ${APACHE_LOCK_DIR} (/var/lock/apache2 -> /run/lock/apache2, www-data's in the sticky
    /run/lock): judged with envvars' every path word, it was refused on every stock server; a name there of anyone
    else's (the deploy login made it before Apache's first start) is refused where Apache's lines use it."""
    lock = {"/var": {"st": [D, 0, 0, 0, 0, 0]}, "/var/lock": {"st": [LN, 0, 0, 0, 0, 0], "link": "/run/lock"},
            "/run": {"st": [D, 0, 0, 0, 0, 0]}, "/run/lock": {"st": [s.S_IFDIR | 0o1777, 0, 0, 0, 0, 0]},
            "/run/lock/apache2": {"st": [D, 33, 33, 0, 0, 0]},
            "/etc/passwd": {"st": [F, 0, 0, 0, 0, 0], "data": "root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/:/x\n"}}
    text = "export APACHE_RUN_USER=www-data\nexport APACHE_LOCK_DIR=/var/lock/apache2$SUFFIX\n"
    extra = dict(lock, **{"/etc/apache2/envvars": {"st": [F, 0, 0, 0, 0, 0], "data": text}})
    assert verdict("Mutex file:${APACHE_LOCK_DIR} default", extra=extra) is None
    extra["/run/lock/apache2"] = {"st": [D, 1001, 1001, 0, 0, 0]}
    said = verdict("Mutex file:${APACHE_LOCK_DIR} default", extra=extra)  # (envvars' own line: apache2ctl's)
    assert "/var/lock/apache2 may be changed" in (said or "") and said.startswith("/etc/apache2/conf-enabled/"), said


def test_a_variable_defined_twice_is_a_no():
    """Which of two ``Define``s of one name is in force depends on sections this check does not evaluate (a dead
    ``<IfModule>``): it took the last one it read, Apache the one in force, so a path built from the other was
    never judged. A name given a value twice, or over envvars' own, is a no (a flag defined twice is stock)."""
    text = ("Define LOGS srv/logtools\n<IfModule mod_none.c>\n  Define LOGS var/log/apache2\n</IfModule>\n"
            "CustomLog /${LOGS}/a.log combined")
    assert "LOGS is defined more than once" in (verdict(text) or "")
    assert "APACHE_LOG_DIR is defined more than once" in (verdict("Define APACHE_LOG_DIR /srv/root") or "")


def openssl(cnf: str, extra: dict | None = None) -> str | None:
    """The verdict on a server whose /etc/ssl/openssl.cnf is ``cnf`` (Apache's root parent reads it at every
    apache2ctl once mod_ssl, or any module linking OpenSSL, is loaded; so does every OpenSSL program of root's)."""
    files = {"/etc/ssl": {"st": [D, 0, 0, 0, 0, 0]}, "/etc/ssl/openssl.cnf": {"st": [F, 0, 0, 0, 0, 0], "data": cnf}}
    files.update(extra or {})
    with mock.patch.object(collect_login, "read", side_effect=lambda out, p, *a: out["files"][p].get("data")):
        return verdict("ServerName x", extra=files)


def test_what_openssl_cnf_names_is_judged_before_root_runs_apache2ctl():
    """Class: the verdict judged Apache's files and envvars, not the library configuration a module loads as root
    (attack7: with mod_ssl on, the read-only gate's `apache2 -t` and bootstrap's loaded the provider a file
    openssl.cnf .included from the deploy login's directory named). openssl.cnf and what it .includes, in turn:
    each file root's, every absolute path word root's; a relative .include or a file not root's is a no."""
    team = {"/srv/logtools/team.cnf": {"st": [F, 0, 0, 0, 0, 0], "data": "[team_sect]\nactivate = 1\n"}}
    said = openssl(".include /srv/logtools/team.cnf\nopenssl_conf = openssl_init\n", team)
    assert said and said.startswith("/etc/ssl/openssl.cnf:1: '.include /srv/logtools/team.cnf': /srv/logtools/team"
                                    ".cnf may be changed by someone other than root"), said
    said = openssl("[team_sect]\nmodule = /srv/logtools/p.so\nactivate = 1\n")
    assert said and said.startswith("/etc/ssl/openssl.cnf:2: 'module = /srv/logtools/p.so': /srv/logtools/p.so"), said
    assert "a relative .include" in (openssl(".include team.cnf\n") or "")
    loose = {"/srv/root/team.cnf": {"st": [F | 0o020, 0, 1001, 0, 0, 0], "why": "not root's: not read"}}
    said = openssl(".include /srv/root/team.cnf\n", loose)
    assert said and said.startswith("/etc/ssl/openssl.cnf:1: '.include /srv/root/team.cnf': /srv/root/team.cnf was "
                                    "not read here"), said
    stock = "dir = ./demoCA\ncerts = $dir/certs\nopenssl_conf = openssl_init\n[openssl_init]\nproviders = p\n"
    assert openssl("# .include fipsmodule.cnf\n" + stock) is None


STOCK_UNIT = ("[Unit]\nDescription=The Apache HTTP Server\nDocumentation=https://httpd.apache.org/docs/2.4/\n\n"
              "[Service]\nType=forking\nEnvironment=APACHE_STARTED_BY_SYSTEMD=true\n"
              "ExecStart=/usr/sbin/apachectl start\n"
              "ExecStop=/usr/sbin/apachectl graceful-stop\nExecReload=/usr/sbin/apachectl graceful\nKillMode=mixed\n"
              "PrivateTmp=true\nRestart=on-abort\n")


def on_systemd(dropins: dict, dirs: dict | None = None) -> str | None:
    """The verdict on a systemd host (Debian's apache2ctl hands start, graceful and stop to systemd there) whose
    apache2.service is Debian's and whose drop-in dirs hold ``dropins`` ({path: (st, text)})."""
    files = {p: {"st": [D, 0, 0, 0, 0, 0]} for p in ("/run", "/run/systemd", "/run/systemd/system", "/lib",
                                                      "/lib/systemd", "/lib/systemd/system", "/etc/systemd",
                                                      "/etc/systemd/system")}
    files["/lib/systemd/system/apache2.service"] = {"st": [F, 0, 0, 0, 0, 0], "data": STOCK_UNIT}
    files.update({p: {"st": st, "data": text} for p, (st, text) in dropins.items()})
    listed = {d: names for d, names in (dirs or {}).items()}

    def listdir(d):
        if d in listed:
            return listed[d]
        raise FileNotFoundError(2, "No such file or directory", d)
    with mock.patch.object(collect_login.os, "listdir", listdir), \
            mock.patch.object(collect_login, "read", side_effect=lambda out, p, *a: out["files"][p].get("data")):
        return verdict("ServerName x", extra={**files, "/usr/sbin/apachectl": {"st": [F, 0, 0, 0, 0, 0]}})


def test_what_systemd_runs_for_apache_on_a_systemd_host_is_judged_before_root_runs_apache2ctl():
    """attack8 (the open item the seventh round named): on a systemd host bootstrap's `apache2ctl graceful` (and
    start) is systemd's `reload apache2`: root runs the unit's ExecReload with its Environment, which a drop-in
    changes. Each file systemd reads for apache2.service (the package's unit, drop-ins in every unit dir, every
    service's service.d) and every absolute path word of it must be root's: a drop-in naming the deploy team's
    directory is a no, as is a drop-in file that directory holds; the stock unit passes."""
    assert on_systemd({}) is None
    d = "/etc/systemd/system/apache2.service.d"
    listed = {d: ["reload.conf"]}
    for line, named in (("ExecReload=\nExecReload=-/srv/logtools/reload", "/srv/logtools/reload"),
                        ("Environment=LD_PRELOAD=/srv/logtools/x.so", "/srv/logtools/x.so"),
                        ("EnvironmentFile=-/srv/logtools/env", "/srv/logtools/env")):
        said = on_systemd({d: ([D, 0, 0, 0, 0, 0], None), d + "/reload.conf": ([F, 0, 0, 0, 0, 0],
                                                                                  "[Service]\n" + line + "\n")}, listed)
        assert said and said.startswith(d + "/reload.conf:") and named + " may be" in said, said
    # every service's drop-in dir, and a drop-in in a directory the deploy login's group may write
    top = "/etc/systemd/system/service.d"
    said = on_systemd({top: ([s.S_IFDIR | 0o2775, 0, 1001, 0, 0, 0], None),
                       top + "/team.conf": ([F, 0, 0, 0, 0, 0], "[Service]\nEnvironment=A=1\n")}, {top: ["team.conf"]})
    assert said and said.startswith(top + "/team.conf: ") and "may be changed by someone other than root" in said, said
    said = on_systemd({d: ([D, 0, 0, 0, 0, 0], None), d + "/x.conf": ([F | 0o020, 0, 1001, 0, 0, 0], None)},
                      {d: ["x.conf"]})
    assert said and "was not read here" in said, said


@pytest.mark.parametrize("line", ["export PATH=bin:/usr/sbin:/usr/bin", "export PATH=/usr/sbin::/usr/bin",
                                  "export PATH=/usr/sbin:/usr/bin:", "LD_LIBRARY_PATH=lib/x86_64", "X=./tools/x"])
def test_a_relative_or_empty_entry_in_envvars_is_a_no(line):
    """attack8 (the seventh round's open item): apache2ctl sources envvars as root in the directory it runs in
    (the admin's at bootstrap, / for the gate's collector): a relative PATH entry, an empty one (the current
    directory), a relative library or program path are resolved from there, which is not root's to know."""
    envvars = {"/etc/apache2/envvars": {"st": [F, 0, 0, 0, 0, 0], "data": line + "\n"}}
    said = verdict("ServerName x", extra=envvars)
    assert said and said.startswith("/etc/apache2/envvars:1: ") and "a relative or empty entry" in said, said


@pytest.mark.parametrize("top", ["/etc/systemd/system.control", "/run/systemd/system.control",
                                 "/etc/systemd/system.attached", "/run/systemd/system.attached"])
def test_a_drop_in_for_apache_anywhere_in_systemds_unit_search_path_is_judged(top):
    """attack9: the verdict read apache2.service's drop-ins in four of systemd's unit dirs; systemd searches
    more (systemd.unit(5)): `systemctl set-property`'s system.control (first of all) and portablectl's
    system.attached, in /etc and /run. A drop-in there naming the deploy team's directory made root's reload run
    it while the verdict said yes. The search path is now one list (collect_login.SYSTEMD_PATH), systemd's."""
    d = top + "/apache2.service.d"
    said = on_systemd({top: ([D, 0, 0, 0, 0, 0], None), d: ([D, 0, 0, 0, 0, 0], None),
                       d + "/ops.conf": ([F, 0, 0, 0, 0, 0], "[Service]\nExecReload=\nExecReload=-/srv/logtools/r\n")},
                      {d: ["ops.conf"]})
    assert said and said.startswith(d + "/ops.conf:") and "/srv/logtools/r may be" in said, said


def test_what_lies_below_a_directory_only_root_may_go_through_is_roots_to_make():
    """certbot's /etc/letsencrypt/live is 0700 root's: the gate's login may not look below it, and no one but root
    reaches anything there (it refused Apache's start over certbot's own certificate); a directory another group
    may go through is not such a one."""
    def denied(path):
        if path.startswith("/srv/certs/"):
            raise PermissionError(13, "Permission denied")
        raise FileNotFoundError(2, "No such file or directory")

    for mode, gid, refused in ((0o700, 0, False), (0o750, 1001, True)):
        extra = {"/srv/certs": {"st": [s.S_IFDIR | mode, 0, gid, 0, 0, 0]}}
        with mock.patch.object(collect_login.os, "lstat", mock.Mock(side_effect=denied)):
            said = collect_login.loose(server("SSLCertificateFile /srv/certs/live/site/fullchain.pem", extra=extra))
        assert (said is not None and "Permission denied here" in said) == refused, said
