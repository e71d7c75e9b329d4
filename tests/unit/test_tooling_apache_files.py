"""Apache's files as ordinary web-tier tooling leaves them (ModSecurity with the Core Rule Set, mod_ssl's
``default-ssl`` site): a package's files a module's own file includes are the module's, a package's file that is no
conffile is its package's while dpkg's unpack dates it, and a site file's line names the vhosts it serves."""

from __future__ import annotations

import pytest

from deploytests.config import load_config
from deploytests.verify import parse
from deploytests.verify.promises import Expected
from tests.unit.test_closed_world import APP, add_conf, allowing, clean_facts, failing, inv


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APP), "appuser")


def test_a_package_s_files_a_module_s_own_file_includes_are_the_module_s_and_a_file_by_hand_there_is_one_line(exp):
    """Class: a package's unchanged files that a module's stock file includes (libapache2-mod-security2's
    security2.conf includes modsecurity-crs's owasp-crs.load, which includes its ~30 rule files and its conffile
    crs-setup.conf) were one line each, "not enabled on a stock server" (and "no package ships it" for those that are
    no conffile): ~35 lines for one package, beside the module's own line. They are the module's (its allowance);
    a file by hand among them (modsecurity.conf, copied from the package's -recommended) is one line; a package's
    file included from a file by hand, or from apache2.conf, is still its own."""
    facts = clean_facts()
    ap = inv(facts)["apache"]
    mod, load, rule = ("/etc/apache2/mods-enabled/security2.conf", "/usr/share/modsecurity-crs/owasp-crs.load",
                       "/usr/share/modsecurity-crs/rules/REQUEST-901-INITIALIZATION.conf")
    for path, frm, pkg in ((mod, "/etc/apache2/apache2.conf", "libapache2-mod-security2"),
                           (load, mod, "modsecurity-crs"), (rule, load, "modsecurity-crs"),
                           ("/etc/modsecurity/crs/crs-setup.conf", load, "modsecurity-crs"),
                           ("/etc/modsecurity/modsecurity.conf", mod, None)):
        add_conf(facts, path, package=pkg)
        ap["includes"][-1]["from"] = frm
    facts.remote["configtest"]["modules"].append("security2_module")
    msg = failing(facts, exp)
    assert set(msg) == {"cw_apache_files", "cw_modules"}, msg
    assert msg["cw_apache_files"].startswith("fail: 1 file of ") and "/etc/modsecurity/modsecurity.conf (included " \
        "from /etc/apache2/mods-enabled/security2.conf:222): no package ships it" in msg["cw_apache_files"], msg
    ap["files"][load]["package"] = None  # (changed by hand: its own line, and what it includes is no module's)
    text = failing(facts, exp)["cw_apache_files"]
    assert "owasp-crs.load (included" in text and "REQUEST-901-INITIALIZATION.conf (included" in text, text


def test_a_package_s_file_that_is_no_conffile_is_its_package_s_while_dpkg_s_unpack_dates_it():
    """Class: Apache's files were a package's only when dpkg lists them as conffiles: a package's file under /usr
    (modsecurity-crs's rules, its owasp-crs.load) read "no package ships it ... a file by hand", which was wrong.
    A file a package's list holds whose ctime is no later than that list's (dpkg writes it after the unpack) is its
    package's; changed since (a later ctime), it is no one's: a file by hand."""
    rule, listed = "/usr/share/crs/rules/r.conf", "/var/lib/dpkg/info/modsecurity-crs.list"
    dirs = {"/": ["usr", "var"], "/var/lib/dpkg/info": ["modsecurity-crs.list"]}
    for changed, want in ((1000.0, "modsecurity-crs"), (1004.0, None)):
        files = {rule: {"st": [0o100644, 0, 0, 10, 1000.0, 7, changed], "data": "SecRuleEngine On\n"},
                 listed: {"st": [0o100644, 0, 0, 10, 1000.0, 8, 1001.0], "ctime": 1001.0, "data": rule + "\n"}}
        files.update({d: {"st": [0o40755, 0, 0, 0, 1.0, 1, 1.0]} for d in ("/", "/usr", "/usr/share", "/usr/share/crs",
                                                                           "/usr/share/crs/rules")})
        info = parse.apache_files(parse.Snapshot({"files": files, "dirs": dirs}), [rule], {})[rule]
        assert info["package"] == want, info


def test_a_file_s_line_names_the_vhosts_it_serves_so_its_allowances_pass_in_one_round(exp):
    """Class: a site file of a package's not enabled on a stock server (a2ensite default-ssl) or by hand was one
    line naming allow_apache_conf; once written, its vhost failed on its own (allow_sites): the line's allowance did
    not make the gate pass. The file's line names both; written, the gate passes."""
    facts = clean_facts()
    path = "/etc/apache2/sites-enabled/default-ssl.conf"
    add_conf(facts, path, package="apache2", vhost="localhost")
    msg = failing(facts, exp)
    assert list(msg) == ["cw_apache_files"] and \
        'in targets.toml, with what it serves: allow_sites = ["localhost"]' in msg["cw_apache_files"], msg
    assert failing(facts, allowing(exp, apache_conf=(path,), sites=("localhost",))) == {}
    assert "allow_sites" not in failing(facts, allowing(exp, sites=("localhost",)))["cw_apache_files"]
