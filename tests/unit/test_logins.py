"""Who logs in and what a login runs (issue 17, the blind test's misses): the SSH server's configuration in force
on disk, PAM, limits, pam_env, the logins' own dotfiles, packaged files changed in place, unsigned apt sources,
a login that may become root but not without a password, and kept releases changed since their deploy. Pure
functions of snapshots recorded from real servers (``data/logins-stock.json``: the project's Debian 12 and 13
images and plain Debian 12 and 13 with openssh-server, sudo, cron and at, read by the root collector's own
functions): each stock one passes, each fault -- written here as another member of its class than the blind
test's -- fails naming the file:line and what it means."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from stock import outcome

from deploytests.allowances import Allowances
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.stacks import for_platform
from deploytests.verify import parse, reader
from deploytests.verify.facts import Facts
from deploytests.verify.logins import admits, ends_with_success, sshd_config, sshd_listeners, sudo_root_grants
from deploytests.verify.pins import digest
from deploytests.verify.promises import Expected

STOCK = json.loads((Path(__file__).parent / "data" / "logins-stock.json").read_text())
R = "/var/www/yourapplication"


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def facts_of(texts: dict | None = None, server: str = "debian12-image") -> Facts:
    """A host whose snapshot is the recorded ``server`` with ``texts`` (path -> text; None: removed) applied."""
    raw = copy.deepcopy(STOCK[server])
    for path, line in (("/etc/passwd", "yourapplication:x:999:999::/var/www/yourapplication:/usr/sbin/nologin"),
                       ("/etc/group", "yourapplication:x:999:appuser")):  # bootstrap's app user
        raw["files"][path]["data"] += line + "\n"
    for path, text in (texts or {}).items():
        if text is None:
            raw["files"].pop(path, None)
            continue
        raw["files"][path] = {"st": [0o100644, 0, 0, len(text), 0, 0], "data": text}
        d, name = path.rsplit("/", 1)
        raw["dirs"][d] = sorted(set(raw["dirs"].get(d, [])) | {name})
    facts = Facts("docker://web-1", remote={"login": "appuser", "as_root": True})
    facts.raw = parse.Snapshot(raw)
    return facts


def text(facts, path):
    return facts.raw.text(path)


# ---------------------------------------------------------------- stock servers pass


@pytest.mark.parametrize("server", sorted(STOCK))
@pytest.mark.parametrize("rule", ["cw_sshd", "cw_pam", "sec_apt", "sec_ssh_crypto", "sec_ssh_limits", "sec_updates"])
def test_stock_servers_pass(server, rule, exp):
    assert outcome(rule, facts_of(server=server), exp) == "pass"


# ---------------------------------------------------------------- sshd


@pytest.mark.parametrize("server", ["debian12-plain", "debian13-plain"])
def test_weak_ssh_algorithms_sshd_would_offer_fail_each_named(server, exp):
    """Class 8 (blind5's d33): what sshd offers beyond Debian's defaults through +, ^, a plain list or a pattern, in
    sshd_config or a drop-in (renamed, moved: any file sshd reads), each weak name in one line per keyword; a ``-``
    list and strong names pass."""
    weak = ("KexAlgorithms +diffie-hellman-group1-sha1\nCiphers +3des-cbc\nMACs +hmac-md5\n"
            "HostKeyAlgorithms +ssh-rsa\n")
    found = outcome("sec_ssh_crypto", facts_of(server=server, texts={"/etc/ssh/sshd_config.d/legacy.conf": weak}),
                    exp)
    for line in ("/etc/ssh/sshd_config.d/legacy.conf:1: kexalgorithms +diffie-hellman-group1-sha1: sshd offers "
                 "diffie-hellman-group1-sha1 to every client: a key exchange an attacker on the path can break",
                 "legacy.conf:2: ciphers +3des-cbc: sshd offers 3des-cbc", "legacy.conf:3: macs +hmac-md5: sshd "
                 "offers hmac-md5", "legacy.conf:4: hostkeyalgorithms +ssh-rsa: sshd offers ssh-rsa"):
        assert line in found, found
    members = {"Ciphers ^aes256-cbc,aes128-ctr": "offers aes256-cbc", "MACs hmac-sha2-256,hmac-sha1-96":
               "offers hmac-sha1-96", "Ciphers +*-cbc": "offers 3des-cbc, aes128-cbc", "PubkeyAcceptedAlgorithms "
               "+ssh-rsa-cert-v01@openssh.com": "offers ssh-rsa-cert-v01@openssh.com",
               "KexAlgorithms diffie-hellman-group14-sha1": "offers diffie-hellman-group14-sha1"}
    for line, said in members.items():
        found = outcome("sec_ssh_crypto", facts_of(server=server, texts={"/etc/ssh/sshd_config.d/x.conf": line}),
                        exp)
        assert said in found, (line, found)
    for fine in ("Ciphers -3des-cbc,*-cbc", "KexAlgorithms curve25519-sha256,diffie-hellman-group14-sha256",
                 "MACs hmac-sha2-512-etm@openssh.com,hmac-sha1"):
        assert outcome("sec_ssh_crypto", facts_of(server=server, texts={"/etc/ssh/sshd_config.d/x.conf": fine}),
                       exp) == "pass", fine



def rsa_pub(bits: int) -> str:
    """An OpenSSH ``ssh-rsa`` public key line with a modulus of ``bits`` bits (not a real key: its size is what
    the rule reads)."""
    import base64
    import struct

    def string(b: bytes) -> bytes:
        return struct.pack(">I", len(b)) + b

    n = (1 << (bits - 1)) | 1
    blob = string(b"ssh-rsa") + string(b"\x01\x00\x01") + string(b"\x00" + n.to_bytes(bits // 8, "big"))
    return "ssh-rsa " + base64.b64encode(blob).decode() + " root@host\n"


@pytest.mark.parametrize("server", ["debian12-plain", "debian13-plain"])
def test_ssh_server_bounds_fail_each_named(server, exp):
    """The SSH server's bounds besides its algorithms (blind7s's s04 LoginGraceTime 0 + MaxStartups 3, s09 a
    1024-bit RSA host key; s02's GatewayPorts is cw_sshd's, below): written here as other members of each class --
    in a drop-in, in a Match block, X11UseLocalhost no (the forwarded display on every interface), a MaxStartups
    triple, a host key at another path with its .pub, a DSA key -- each fails naming its file:line; Debian's
    values pass (GatewayPorts yes too: not this rule's, one cause one failure)."""
    drop = "/etc/ssh/sshd_config.d/x.conf"
    members = {
        "Match User deployer\n    X11Forwarding yes\n    X11UseLocalhost no":
            "x11uselocalhost no (Match User deployer at",
        "X11Forwarding yes\nX11UseLocalhost no": "x11uselocalhost no with X11 forwarding on",
        "LoginGraceTime 0s": "logingracetime 0s: a connection that never authenticates is never cut",
        "MaxStartups 2:30:5": "maxstartups 2:30:5: 5 unauthenticated connections from anyone refuse every other login",
        # sshd's limits below the pipeline's own connections and sessions (blind8's h22, h25; other members: a
        # drop-in's PerSourceMaxStartups 3, MaxSessions 0 in a Match block, MaxSessions 2)
        "PerSourceMaxStartups 3": "persourcemaxstartups 3: sshd drops a connection from an address that already",
        "MaxSessions 2": "maxsessions 2: sshd refuses a session past 2 on one connection",
        "Match User appuser\n    MaxSessions 0": "maxsessions 0 (Match User appuser at",
    }
    for line, said in members.items():
        found = outcome("sec_ssh_limits", facts_of(server=server, texts={drop: line + "\n"}), exp)
        assert found.startswith("fail") and said in found and drop + ":" in found, (line, found)
    for fine in ("GatewayPorts yes", "LoginGraceTime 30s", "MaxStartups 10:30:60", "X11UseLocalhost yes",
                 "PerSourceMaxStartups 10", "PerSourceMaxStartups none", "MaxSessions 10", "MaxSessions 4",
                 "X11Forwarding no\nX11UseLocalhost no"):
        assert outcome("sec_ssh_limits", facts_of(server=server, texts={drop: fine + "\n"}), exp) == "pass", fine
    keys = {"/etc/ssh/keys/host_rsa": rsa_pub(1024), "/etc/ssh/keys/host_rsa_1536": rsa_pub(1536),
            "/etc/ssh/keys/host_dsa": "ssh-dss AAAAB3NzaC1kc3MAAACBAP8= root@host\n"}
    for path, pub in keys.items():
        found = outcome("sec_ssh_limits", facts_of(server=server, texts={drop: f"HostKey {path}\n",
                                                                         path + ".pub": pub}), exp)
        assert found.startswith("fail") and f"{drop}:1: hostkey {path} is a" in found, (path, found)
    assert "an RSA key of 1024 bits" in outcome("sec_ssh_limits", facts_of(server=server, texts={
        drop: "HostKey /etc/ssh/keys/host_rsa\n", "/etc/ssh/keys/host_rsa.pub": rsa_pub(1024)}), exp)
    # no HostKey line: sshd's defaults, judged by their .pub the same way; strong keys pass
    weak_default = {"/etc/ssh/ssh_host_rsa_key.pub": rsa_pub(1024)}
    found = outcome("sec_ssh_limits", facts_of(server=server, texts=weak_default), exp)
    if "hostkey" not in str(sshd_config({p: e["data"] for p, e in STOCK[server]["files"].items()
                                         if "data" in e}).lists):
        assert "sshd's default (no HostKey line): hostkey /etc/ssh/ssh_host_rsa_key is an RSA key of 1024" in found
    for bits in (2048, 3072):
        assert outcome("sec_ssh_limits", facts_of(server=server, texts={
            drop: "HostKey /etc/ssh/keys/host_rsa\n", "/etc/ssh/keys/host_rsa.pub": rsa_pub(bits)}), exp) == "pass"

def test_sshd_first_value_wins_and_includes_are_read():
    base = STOCK["debian12-plain"]
    texts = {p: e["data"] for p, e in base["files"].items() if "data" in e}
    texts["/etc/ssh/sshd_config.d/10-ops.conf"] = "PermitRootLogin yes\n"
    texts["/etc/ssh/sshd_config"] += "PermitRootLogin no\n"
    dirs = dict(base["dirs"], **{"/etc/ssh/sshd_config.d": ["10-ops.conf"]})
    cfg = sshd_config(texts, dirs)
    assert cfg.first["permitrootlogin"] == ("yes", "/etc/ssh/sshd_config.d/10-ops.conf:1")  # the Include comes first


def test_a_drop_in_that_allows_root_with_a_password_fails(exp):
    facts = facts_of({"/etc/ssh/sshd_config.d/50.conf": "PermitRootLogin yes\n"}, "debian12-plain")
    found = outcome("cw_sshd", facts, exp)
    assert found.startswith("fail: 1 setting of the SSH server not accounted for (not made by deploytests, not on "
                            "a stock server of this stack, not allowed):"), found
    assert "/etc/ssh/sshd_config.d/50.conf:1: permitrootlogin yes: root logs in with a password" in found


def test_a_keys_file_the_app_writes_and_strictmodes_off_fail(exp):
    facts = facts_of()
    conf = text(facts, "/etc/ssh/sshd_config").replace(
        "AuthorizedKeysFile .ssh/authorized_keys", f"AuthorizedKeysFile %h/.ssh/authorized_keys {R}/shared/keys/%u")
    found = outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + "StrictModes no\n"}), exp)
    assert f"authorizedkeysfile {R}/shared/keys/%u: sshd takes who may log in from there, and {R}/shared/keys " \
           "(not looked at) may be changed by someone but root" in found
    assert "strictmodes no: sshd uses key files and homes others may write" in found


@pytest.mark.parametrize("line, key", [("GatewayPorts yes", "gatewayports yes"),  # blind7's e07
                                       ("GatewayPorts clientspecified", "gatewayports clientspecified"),
                                       ("PermitTunnel yes", "permittunnel yes"),
                                       ("PermitTunnel ethernet", "permittunnel ethernet")])
def test_sshd_settings_that_let_a_login_serve_the_network_fail(exp, line, key):
    """GatewayPorts publishes what a login forwards on the server's addresses (a loopback-only service, to the
    network); PermitTunnel bridges a login's network into the server's. Either, in the main file, a drop-in or a
    Match block, lets whoever holds the deploy login serve past every loopback bind and firewall rule."""
    conf = text(facts_of(), "/etc/ssh/sshd_config")
    found = outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + line + "\n"}), exp)
    assert f"/etc/ssh/sshd_config:17: {key}:" in found and "every login that may" in found, found
    found = outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + "Match User appuser\n  " + line + "\n"}),
                    exp)
    assert f"{key} (Match User appuser at /etc/ssh/sshd_config:17)" in found, found
    off = line.split()[0] + " no"
    assert outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + off + "\n"}), exp) == "pass"


# blind: sshd-loglevel-quiet: 'LogLevel QUIET' ("less log noise"): from sshd's next start no login, key or refused
# attempt is recorded. Class: a setting that turns off the server's record of who logged in. Other members: FATAL
# and ERROR (below INFO, the least that logs a login), in a Match block; VERBOSE (more) passes.
@pytest.mark.parametrize("line, fails", [("LogLevel QUIET", True), ("LogLevel FATAL", True), ("LogLevel ERROR", True),
                                         ("LogLevel VERBOSE", False), ("LogLevel INFO", False)])
def test_an_sshd_log_level_that_records_no_login_fails(exp, line, fails):
    conf = text(facts_of(), "/etc/ssh/sshd_config")
    key = f"loglevel {line.split()[1]}"
    for extra, said in ((line + "\n", f"/etc/ssh/sshd_config:17: {key}:"),
                        ("Match User appuser\n  " + line + "\n", f"{key} (Match User appuser at")):
        found = outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + extra}), exp)
        assert (found != "pass") is fails, found
        if fails:
            assert said in found and "sshd records no login from its next start" in found, found


def test_an_access_list_that_locks_the_deploy_login_out_fails(exp):
    conf = text(facts_of(), "/etc/ssh/sshd_config")
    found = outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + "DenyGroups appuser\n"}), exp)
    assert "/etc/ssh/sshd_config:17: denygroups 'appuser' names it: sshd refuses the deploy login appuser at its " \
           "next start" in found, found
    assert outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + "AllowUsers admin appuser\n"}), exp) == "pass"
    assert "allowusers 'ops*' does not name it" in outcome(
        "cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + "AllowUsers ops*\n"}), exp)


def test_a_password_login_for_the_app_user_fails(exp):
    conf = text(facts_of(), "/etc/ssh/sshd_config")
    found = outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + "Match Group yourapplication\n"
                                        "  KbdInteractiveAuthentication yes\n"}), exp)
    assert "kbdinteractiveauthentication yes in Match Group yourapplication" in found, found
    assert outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + "Match User admin\n  PasswordAuthentication "
                                       "yes\n"}), exp) == "pass"


def test_an_sshd_config_someone_else_may_write_is_a_finding(exp):
    facts = facts_of()
    del facts.raw.files["/etc/ssh/sshd_config"]["data"]
    facts.raw.files["/etc/ssh/sshd_config"]["why"] = "not a regular file of root's, not writable by group or others"
    assert "/etc/ssh/sshd_config: sshd reads it to decide who logs in, but the gate could not (not a regular " \
           "file of root's" in outcome("cw_sshd", facts, exp)


def test_access_lists():
    cfg = sshd_config({"/etc/ssh/sshd_config": "AllowUsers deploy@10.0.0.* app?ser\nDenyUsers root\n"})
    assert admits(cfg, "appuser", ["appuser"]) is None and admits(cfg, "deploy", []) is None
    assert "does not name it" in admits(cfg, "bob", ["bob"])


@pytest.mark.parametrize("lines,said", [
    ("AllowUsers admin appuser@10.1.2.0/24", "/etc/ssh/sshd_config:17: AllowUsers appuser@10.1.2.0/24: admits "
     "appuser only from 10.1.2.0/24: sshd lets the deploy login in from some places only"),
    ("DenyUsers appuser@192.168.*", "/etc/ssh/sshd_config:17: DenyUsers appuser@192.168.*: refuses appuser from "
     "192.168.*"),
    ("Match Address !10.0.0.0/8\n  DenyUsers appuser", "/etc/ssh/sshd_config:18: denyusers appuser (Match Address "
     "!10.0.0.0/8 at /etc/ssh/sshd_config:17): set for appuser when it connects from there only"),
    ("Match User appuser LocalPort 2222\n  ForceCommand /bin/false", "/etc/ssh/sshd_config:18: forcecommand "
     "/bin/false (Match User appuser LocalPort 2222 at /etc/ssh/sshd_config:17)"),
    ("Match Host *.ci.example.com User appuser\n  PubkeyAuthentication no", "pubkeyauthentication no (Match Host "
     "*.ci.example.com User appuser")])
def test_sshd_letting_the_deploy_login_in_from_some_places_only_fails(lines, said, exp):
    """Class: a restriction on where the deploy login may log in from that the gate's own login, from here, does
    not trip (an AllowUsers user@host, a DenyUsers user@host, a Match block on the address, host or local port
    setting what decides a key login): one line naming the file to allow (pinned); the same block for another
    login, or one that only widens (a password for an admin's network), passes."""
    conf = text(facts_of(), "/etc/ssh/sshd_config")
    found = outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + lines + "\n"}), exp)
    assert said in found and 'allow_cron = ["/etc/ssh/sshd_config sha256:' in found, found
    assert found.startswith("fail: 1 "), found
    other = lines.replace("appuser", "admin").replace("admin admin@", "admin appuser ops@")
    assert outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + other + "\n"}), exp) == "pass"
    assert outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": conf + "Match Address 10.0.0.0/8 User admin\n"
                                       "  PasswordAuthentication yes\n"}), exp) == "pass"


def test_a_tcp_wrappers_rule_fails_and_comments_pass(exp):
    """Debian 12's and 13's sshd link libwrap: a hosts.deny or hosts.allow rule decides which addresses may
    connect before any key (allow_cron, the file pinned); the files as libwrap0 writes them (comments) pass."""
    found = outcome("cw_sshd", facts_of({"/etc/hosts.deny": "# no rule\nsshd: ALL EXCEPT 10.0.0.0/8\n"}), exp)
    assert "/etc/hosts.deny:2: 'sshd: ALL EXCEPT 10.0.0.0/8': sshd asks libwrap" in found, found
    assert 'allow_cron = ["/etc/hosts.deny sha256:' in found
    assert outcome("cw_sshd", facts_of({"/etc/hosts.allow": "# /etc/hosts.allow\n#\n", "/etc/hosts.deny": "#\n"}),
                   exp) == "pass"


# ---------------------------------------------------------------- PAM, limits, pam_env


def test_pam_lines_that_let_in_without_a_secret_fail(exp):
    su = text(facts_of(), "/etc/pam.d/su")
    sudo = text(facts_of(), "/etc/pam.d/sudo")
    found = outcome("cw_pam", facts_of({"/etc/pam.d/sudo": "auth [success=done default=ignore] pam_succeed_if.so "
                                       "user ingroup adm\n" + sudo}), exp)
    assert "/etc/pam.d/sudo:1: auth [success=done default=ignore] pam_succeed_if.so user ingroup adm: its success " \
           "ends the authentication without a password or key" in found, found
    found = outcome("cw_pam", facts_of({"/etc/pam.d/su": su + "session optional pam_exec.so /srv/hooks/login\n"}),
                    exp)
    assert "pam_exec.so /srv/hooks/login: runs a program at every login" in found
    found = outcome("cw_pam", facts_of({"/etc/pam.d/login": "auth sufficient /opt/pam/pam_ops.so\n"}), exp)
    assert "/etc/pam.d/login:1: auth sufficient /opt/pam/pam_ops.so: a PAM module from outside" in found
    assert ends_with_success("[success=2 default=ignore]") and not ends_with_success("required")


def with_pam(server="debian12-image", sshd_pam=True, **texts):
    """A recorded server with sshd using PAM (Debian's own sshd_config; the project's image has UsePAM no) and
    ``texts`` (a name: its file under /etc/pam.d, text appended; a path: the file's whole text)."""
    base = facts_of(server=server)
    out = {}
    if sshd_pam:
        out["/etc/ssh/sshd_config"] = text(base, "/etc/ssh/sshd_config").replace("UsePAM no", "UsePAM yes")
    for name, more in texts.items():
        path = name if name.startswith("/") else "/etc/pam.d/" + name.replace("_", "-")
        out[path] = more if name.startswith("/") else text(base, path) + more
    facts = facts_of(out, server=server)
    facts.raw.raw["etc_files"] = {}  # (the login collector's record of /etc: nothing there beyond these texts)
    return facts


@pytest.mark.parametrize("server", ["debian12-image", "debian13-image"])
@pytest.mark.parametrize("where,line,conf", [
    ("common_account", "account required pam_access.so", ("/etc/security/access.conf", "-:appuser:10.99.0.0/16\n")),
    ("sshd", "account required pam_time.so", ("/etc/security/time.conf", "*;*;appuser;Wk0000-2400\n")),
    ("sshd", "account required pam_listfile.so item=rhost sense=deny file=/etc/ssh/denied onerr=succeed",
     ("/etc/ssh/denied", "10.99.0.1\n")),
    ("common_account", "account requisite pam_succeed_if.so user notin appuser:deployer", None),
    ("common_session", "session required pam_limits.so conf=/etc/security/deploy-limits.conf",
     ("/etc/security/deploy-limits.conf", "appuser hard maxlogins 1\n")),
    ("sudo", "account required pam_time.so", ("/etc/security/time.conf", "sudo;*;appuser;Al0800-1800\n"))])
def test_a_pam_module_beyond_debians_stock_in_the_logins_stacks_fails_until_allowed_pinned(server, where, line, conf,
                                                                                          exp):
    """Class: a restriction on who may log in, when and from where that the gate's own login does not trip (its
    login is now, from here): a PAM module in sshd's or sudo's account or session stack (its includes read in
    place) that is none of Debian's stock lines (a conffile's as shipped, pam-auth-update's) fails in one line
    naming allow_pam; allowed pinned, it passes; its own configuration changed later, the pin no longer holds."""
    texts = {where: line + "\n"} | ({conf[0]: conf[1]} if conf else {})
    facts = with_pam(server, **texts)
    found = outcome("cw_pam", facts, exp)
    module = line.split()[2]
    assert found.startswith("fail: 1 ") and f": {line}: not a line of Debian's stock PAM stacks" in found, found
    assert f'allow_pam = ["{module} sha256:' in found and "at other times or from other places" in found, found
    allowed = dataclasses.replace(exp, allow=Allowances(pam=(module,)))
    assert outcome("cw_pam", facts, allowed) == "pass"
    if conf:
        pin = digest(facts, "pam", module)
        changed = with_pam(server, **dict(texts, **{conf[0]: conf[1] + "-:appuser:ALL\n"}))
        written = dataclasses.replace(exp, allow=Allowances(pam=(f"{module} sha256:{pin}",)))
        assert "but it has changed since" in outcome("cw_pam", changed, written)


@pytest.mark.parametrize("texts,caught", [
    # libpam-pwquality's profile and a CIS password history: the password stack runs at a password change only
    ({"common_password": "password requisite pam_pwquality.so retry=3\npassword required pam_pwhistory.so "
      "remember=24 use_authtok\n"}, None),
    # libpam-google-authenticator for admins' logins: sshd runs PAM's auth only for a login that needs more than a
    # key; the deploy login's is a key
    ({"sshd": "auth required pam_google_authenticator.so nullok\n"}, None),
    ({"sshd": "auth required pam_google_authenticator.so nullok\n", "/etc/ssh/sshd_config": "UsePAM yes\n"
      "AuthenticationMethods publickey,keyboard-interactive\n"}, "pam_google_authenticator.so"),
    # pam_faillock per CIS on Debian 13 (common-auth's preauth and authfail, common-account's line): one line
    ({"common_auth": "auth required pam_faillock.so preauth\nauth [default=die] pam_faillock.so authfail\n",
      "common_account": "account required pam_faillock.so\n", "/etc/security/faillock.conf": "deny = 5\n"},
     "pam_faillock.so"),
    # sudo's auth stack: sudo -n with NOPASSWD asks for none
    ({"sudo": "auth required pam_listfile.so item=user sense=allow file=/etc/sudo-ok onerr=fail\n"}, None)])
def test_ordinary_pam_hardening_passes_or_names_its_allowance(texts, caught, exp):
    found = outcome("cw_pam", with_pam("debian13-image", **texts), exp)
    if caught is None:
        assert found == "pass", found
    else:
        assert found.startswith("fail: 1 ") and f'allow_pam = ["{caught} sha256:' in found, found


def test_a_pam_modules_rule_outside_etc_is_named(exp):
    """The login collector records /etc: a module's file elsewhere cannot be pinned, and its line says so."""
    found = outcome("cw_pam", with_pam(common_account="account required pam_listfile.so item=user sense=deny "
                                       "file=/srv/ops/denied onerr=succeed\n"), exp)
    assert "(the gate records /etc only: keep /srv/ops/denied there, or no pin of it holds)" in found, found


def test_the_sshd_stack_is_not_judged_where_sshd_does_not_use_pam(exp):
    """The project's image runs sshd with UsePAM no: sshd's stack decides nothing there, sudo's still does."""
    assert outcome("cw_pam", with_pam(sshd_pam=False, sshd="account required pam_time.so\n"), exp) == "pass"
    assert "sudo and sudo-i run it" in outcome("cw_pam", with_pam(sshd_pam=False, common_account="account required "
                                                                 "pam_time.so\n"), exp)


@pytest.mark.parametrize("line,caught", [("yourapplication hard nproc 25", True), ("@yourapplication - nproc 60", True),
                                         ("* soft nofile 256", True), ("appuser hard maxlogins 2", True),
                                         ("1000: hard fsize 100000", True), ("* hard core 0", False),
                                         ("* soft nofile 65536", False), ("admin hard nproc 10", False),
                                         ("@adm - nproc unlimited", False)])
def test_limits_that_break_a_deploy_fail(line, caught, exp):
    found = outcome("cw_pam", facts_of({"/etc/security/limits.d/90.conf": line + "\n"}), exp)
    assert found.startswith("fail") == caught, found
    if caught:
        assert f"/etc/security/limits.d/90.conf:1: {line}: applies to" in found


def test_environment_paths_and_loader_variables_fail(exp):
    found = outcome("cw_pam", facts_of({"/etc/environment": 'PATH="/srv/tools:/usr/local/sbin:/usr/local/bin:/usr/sbin:'
                                       '/usr/bin:/sbin:/bin"\n'}), exp)
    assert "/etc/environment:1: PATH has /srv/tools: every login's PATH" in found, found
    found = outcome("cw_pam", facts_of({"/etc/security/pam_env.conf": "LD_LIBRARY_PATH DEFAULT=/opt/lib\n"}), exp)
    assert "/etc/security/pam_env.conf:1: LD_LIBRARY_PATH=/opt/lib: pam_env sets it" in found
    assert outcome("cw_pam", facts_of({"/etc/environment": 'PATH="/usr/local/bin:/usr/bin:/bin:/usr/games"\nLANG=C\n'}),
                   exp) == "pass"


@pytest.mark.parametrize("path,text,said", [
    # blind9's h15 (shown: a root python service started with it ran the otel account's sitecustomize)
    ("/etc/systemd/system.conf.d/otel.conf", '[Manager]\nDefaultEnvironment="PYTHONPATH=/opt/otel/auto" "X=1"\n',
     "/etc/systemd/system.conf.d/otel.conf:2: PYTHONPATH=/opt/otel/auto: systemd sets it for every service"),
    ("/etc/systemd/system.conf", "[Manager]\nDefaultEnvironment=LD_PRELOAD=/usr/local/lib/libapm.so\n",
     "/etc/systemd/system.conf:2: LD_PRELOAD=/usr/local/lib/libapm.so: systemd sets it for every service"),
    ("/run/systemd/system.conf.d/path.conf", "[Manager]\nManagerEnvironment=PATH=/opt/ops/bin:/usr/bin\n",
     "/run/systemd/system.conf.d/path.conf:2: PATH has /opt/ops/bin: every service's PATH")])
def test_systemd_manager_environment_is_judged_as_pam_envs(exp, path, text, said):
    """Class (blind9's h15): what systemd's manager configuration sets for every service it starts
    (DefaultEnvironment=, ManagerEnvironment= in system.conf and its .d dirs) is judged as /etc/environment is:
    no loader variable, no PATH entry outside the command dirs; a proxy or locale passes."""
    found = outcome("cw_pam", facts_of({path: text}), exp)
    assert said in found, found
    fine = '[Manager]\nDefaultEnvironment="http_proxy=http://proxy:3128" LANG=C.UTF-8\n'
    assert outcome("cw_pam", facts_of({path: fine}), exp) == "pass"


STOCK_MANAGER = "LANG=C.UTF-8\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"


@pytest.mark.parametrize("added, said", [
    # a systemd fault (set-environment later): nothing restarted, every unit started later imports from there
    ("PYTHONPATH=/srv/x\n", "PYTHONPATH=/srv/x: systemd sets it for every service it starts, root's daemons and "
                            "timers' jobs too: it changes what they load (set at run time: no file holds it"),
    # other members: the loader's variable; a PATH before the command dirs; any other variable (deny by default)
    ("LD_PRELOAD=/tmp/x.so\n", "LD_PRELOAD=/tmp/x.so: systemd sets it"),
    ("PATH=/srv/bin:/usr/sbin:/usr/bin\n", "PATH has /srv/bin: every service's PATH"),
    ("X=$'a b'\n", "X=a b: systemd sets it for every service it starts, root's daemons and timers' jobs too, from "
                   "now on (set at run time")])
def test_pid_1s_environment_set_at_run_time_is_judged(exp, added, said):
    """Class (``systemctl set-environment`` changes pid 1's environment in memory, no file
    holds it, and every unit started afterwards inherits it): the login collector reads it (``systemctl
    show-environment``, a bus property any login may read) where systemd is pid 1, and what no file of the
    manager's configuration sets is judged as DefaultEnvironment= is, and any other variable but the locale's is
    a line too. Stock (LANG, the default PATH) and a variable a system.conf.d file sets (judged there) pass."""
    facts = facts_of()
    facts.raw.raw["manager_env"] = [0, STOCK_MANAGER]
    assert outcome("cw_pam", facts, exp) == "pass"
    facts.raw.raw["manager_env"] = [0, STOCK_MANAGER + added]
    found = outcome("cw_pam", facts, exp)
    assert f"- pid 1's environment (systemctl show-environment): {said}" in found, found
    assert found.count("- pid 1's") == 1, found
    facts = facts_of({"/etc/systemd/system.conf.d/proxy.conf": '[Manager]\nDefaultEnvironment="http_proxy=h:3128"\n'})
    facts.raw.raw["manager_env"] = [0, STOCK_MANAGER + "http_proxy=h:3128\n"]
    assert outcome("cw_pam", facts, exp) == "pass"


# ---------------------------------------------------------------- apt


@pytest.mark.parametrize("path,content", [
    ("/etc/apt/sources.list.d/ops.list", "deb [arch=amd64 trusted=yes] http://repo.example/ ./\n"),
    ("/etc/apt/sources.list.d/ops.sources", "Types: deb\nURIs: http://repo.example/\nSuites: ./\n"
                                                          "Allow-Insecure: yes\n"),
    ("/etc/apt/apt.conf.d/99insecure", 'APT::Get::AllowUnauthenticated "true";\n'),
    # apt's other checks, by the one guard pattern (its TLS peer check; a Release file past its Valid-Until)
    ("/etc/apt/apt.conf.d/99proxy", 'Acquire::https::Verify-Peer "false";\n'),
    ("/etc/apt/apt.conf.d/99snapshot", 'Acquire::Check-Valid-Until "false";\n')])
def test_unsigned_apt_sources_fail(path, content, exp):
    found = outcome("sec_apt", facts_of(texts={path: content}), exp)
    assert found.startswith("fail: apt installs packages it does not verify, or fetches") and f"- {path}:" in found, \
        found
    assert found.count(f"- {path}:") == 1, found  # (one cause, one line)


# blind: apt-sandbox-user-root: apt's privilege drop for its methods (http, gpgv: they parse what a mirror sends and
# check its signatures) switched off by a setting passed. Class: a privilege drop the stack relies on, turned off by
# configuration (Apache refuses to run as root, mod_wsgi refuses a daemon user=root, sshd's privilege separation
# cannot be switched off since OpenSSH 7.5: apt's is the one a setting turns off). Members: the flat key, apt's scope
# syntax, a user the server does not have (apt says so and keeps root), another account, a Binary:: scope, apt's
# debug switch; a commented line, a file apt does not read, a later file putting _apt back, _apt itself pass.
APT_ROOT = [
    ({"99sandbox": 'APT::Sandbox::User "root";\n'}, "99sandbox:1: APT::Sandbox::User 'root': apt runs its download "
                                                    "and signature methods (http, https, gpgv) as root, not as _apt"),
    ({"99sandbox": '// off for the proxy\nAPT {\n  Sandbox {\n    User "root";\n  };\n};\n'},
     "99sandbox:4: APT::Sandbox::User 'root'"),
    ({"99sandbox": 'APT::Sandbox::User "apt-fetch";\n'}, "no account 'apt-fetch' here: apt says so and keeps root"),
    ({"99sandbox": 'APT::Sandbox::User "www-data";\n'}, "as www-data, whose other processes may trace and change them"),
    ({"99sandbox.conf": 'Binary::apt::APT::Sandbox::User "root";\n'}, "Binary::Apt::APT::Sandbox::User 'root'"),
    ({"00no-drop-privs": "Debug::NoDropPrivs true;\n"}, "00no-drop-privs:1: Debug::NoDropPrivs 'true': apt runs"),
    ({"99sandbox": '// APT::Sandbox::User "root";\n/* APT::Sandbox::User "root"; */\n'}, None),
    ({"99sandbox.disabled": 'APT::Sandbox::User "root";\n'}, None),
    ({"10sandbox": 'APT::Sandbox::User "root";\n', "90sandbox": 'APT::Sandbox::User "_apt";\n'}, None),
    ({"99sandbox": 'APT::Sandbox::User "_apt";\nDebug::NoDropPrivs "false";\n'}, None)]


@pytest.mark.parametrize("files, said", APT_ROOT, ids=[f"{sorted(f)}-{bool(s)}" for f, s in APT_ROOT])
def test_apt_switched_off_dropping_root_for_its_methods_fails_naming_the_line(files, said, exp):
    found = outcome("sec_apt", facts_of(texts={f"/etc/apt/apt.conf.d/{n}": t for n, t in files.items()}), exp)
    if said is None:
        assert found == "pass", found
        return
    assert said in found and found.count("- /etc/apt/apt.conf.d/") == 1, found  # (one line, its file:line)
    assert "is root at the next update" in found and "allow_cron = [" in found, found
    path = next(f"/etc/apt/apt.conf.d/{n}" for n in files)
    assert outcome("sec_apt", facts_of(texts={path: files[next(iter(files))]}),
                   dataclasses.replace(exp, allow=Allowances(cron=(path,)))) == "pass"


# blind: apt-global-trusted-key: a vendor's key exported into /etc/apt/trusted.gpg.d (no signed-by) passed: apt
# trusts every key there for every source, Debian's archive too. Class: a key apt trusts for all sources that no
# package put there. Other members: the legacy /etc/apt/trusted.gpg (apt-key add), a link there to a key elsewhere;
# the archive keyrings debian-archive-keyring ships there pass.
@pytest.mark.parametrize("path, entry, fails", [
    ("/etc/apt/trusted.gpg.d/vendor.asc", "ab" * 32, True),
    ("/etc/apt/trusted.gpg", "cd" * 32, True),
    ("/etc/apt/trusted.gpg.d/vendor.gpg", "-> /opt/vendor/key.gpg", True),
    ("/etc/apt/trusted.gpg.d/debian-archive-bookworm-stable.asc", "ef" * 32, False)])
def test_a_keyring_apt_trusts_for_every_source_is_a_packages(path, entry, fails, exp):
    facts = facts_of(texts={"/var/lib/dpkg/info/debian-archive-keyring.list":
                            "/etc/apt/trusted.gpg.d/debian-archive-bookworm-stable.asc\n"})
    facts.raw.raw["etc_files"] = {path: entry, "/etc/hostname": "12" * 32}
    found = outcome("sec_apt", facts, exp)
    assert (found != "pass") is fails, found
    if fails:
        assert found.count(" - /etc/") == 1 and f"- {path}" in found and "a keyring no package ships, trusted for " \
            "every apt source (no signed-by)" in found and "signed-by=" in found, found


DPKG = "".join(f"Package: {n}\nStatus: {st}\nVersion: {v}\n\n" for n, st, v in (
    ("apache2", "install ok installed", "2.4.62-1~deb12u2"),
    ("apache2-bin", "install ok installed", "2.4.62-1~deb12u2"),
    ("libssl3", "install ok installed", "3.0.15-1~deb12u1"), ("linux-image-amd64", "hold ok installed", "6.1"),
    ("nodejs", "install ok installed", "20.1")))
HELD = {  # what stops the stack's packages from taking updates (blind8's h17: a version pin; b55: a hold), by member
    "/var/lib/dpkg/status": (DPKG.replace("apache2-bin\nStatus: install", "apache2-bin\nStatus: hold"),
                             "apache2-bin: 'hold ok installed' (apt-mark hold)"),
    "/etc/apt/preferences.d/web": ("# regression\nPackage: apache2*\nPin: version 2.4.62-1~deb12u2\n"
                                   "Pin-Priority: 1001\n",
                                   "web:2: Package: apache2* / Pin: version 2.4.62-1~deb12u2 / Pin-Priority: 1001 "
                                   "(apache2, apache2-bin): keeps version"),
    "/etc/apt/preferences": ("Package: /^libssl/\nPin: release n=bookworm\nPin-Priority: 900\n",
                             "ranks n=bookworm above the security archive (500)"),
    "/etc/apt/preferences.d/sec": ("Package: *\nPin: release l=Debian-Security\nPin-Priority: 100\n",
                                   "ranks l=Debian-Security below what is installed"),
    "/etc/apt/apt.conf.d/99default": ('APT::Default-Release "stable";\n', "APT::Default-Release 'stable'"),
}


@pytest.mark.parametrize("path", sorted(HELD))
def test_what_holds_the_stacks_packages_back_from_updates_fails_named(path, exp):
    text, said = HELD[path]
    texts = {"/var/lib/dpkg/status": DPKG, path: text}
    found = outcome("sec_updates", facts_of(texts=texts), exp)
    assert found.startswith("fail: 1 setting holding back the stack's updates") and said in found, found


def test_pins_and_holds_that_leave_the_stacks_updates_pass(exp):
    """A held kernel, a pin for a package not the stack's, backports ranked low, a pin to Debian's origin (the
    security archive's too), a version pinned at the default priority: none keeps the stack's updates out."""
    fine = {"/var/lib/dpkg/status": DPKG,
            "/etc/apt/preferences.d/ok": "Package: nodejs\nPin: origin deb.nodesource.com\nPin-Priority: 1001\n\n"
                                         "Package: *\nPin: release a=bookworm-backports\nPin-Priority: 100\n\n"
                                         "Package: *\nPin: release o=Debian\nPin-Priority: 900\n\n"
                                         "Package: apache2\nPin: version 2.4.62*\nPin-Priority: 500\n",
            "/etc/apt/apt.conf.d/99default": 'APT::Default-Release "bookworm-security";\n'}
    assert outcome("sec_updates", facts_of(texts=fine), exp) == "pass"


# blind: uu-blacklists-stack-packages. unattended-upgrades' Package-Blacklist holding Apache back passed. Decided: a
# silent hold where unattended-upgrades is how the server takes its updates (installed, switched on), one line in
# sec_updates naming the file:line and allow_cron; a server without it, or with it switched off, passes (its
# packages can take their updates, by hand), and so does a blacklist of packages not the stack's.
UU = "Package: unattended-upgrades\nStatus: install ok installed\nVersion: 2.9.1\n\n"
PERIODIC = 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n'
UU_CASES = [
    ({"50unattended-upgrades": 'Unattended-Upgrade::Package-Blacklist {\n    "apache2";\n};\n'}, DPKG + UU,
     "50unattended-upgrades:2: Unattended-Upgrade::Package-Blacklist 'apache2' (apache2, apache2-bin): "
     "unattended-upgrades, switched on here (APT::Periodic::Unattended-Upgrade '1'), never installs"),
    ({"52local": 'Unattended-Upgrade::Package-Blacklist:: "libssl";\n'}, DPKG + UU, "'libssl' (libssl3)"),
    ({"52local": 'Unattended-Upgrade::Package-Blacklist { "nodejs"; "linux-"; };\n'}, DPKG + UU, None),
    ({"52local": 'Unattended-Upgrade::Package-Blacklist {\n//  "apache2";\n};\n'}, DPKG + UU, None),
    ({"52local": 'Unattended-Upgrade::Package-Blacklist { "apache2"; };\n'}, DPKG, None),  # (no u-u installed)
    ({"52local": 'Unattended-Upgrade::Package-Blacklist { "apache2"; };\n',
      "99off": 'APT::Periodic::Unattended-Upgrade "0";\n'}, DPKG + UU, None)]


@pytest.mark.parametrize("files, status, said", UU_CASES, ids=[f"{sorted(f)}-{bool(s)}" for f, _, s in UU_CASES])
def test_unattended_upgrades_blacklisting_the_stacks_packages_fails_where_it_is_switched_on(files, status, said, exp):
    texts = {"/var/lib/dpkg/status": status, "/etc/apt/apt.conf.d/20auto-upgrades": PERIODIC}
    texts.update({f"/etc/apt/apt.conf.d/{n}": t for n, t in files.items()})
    found = outcome("sec_updates", facts_of(texts=texts), exp)
    if said is None:
        assert found == "pass", found
        return
    assert found.startswith("fail: 1 setting holding back the stack's updates") and said in found, found
    path = f"/etc/apt/apt.conf.d/{next(iter(files))}"
    assert f'allow it: allow_cron = ["{path} sha256:' in found, found
    allowed = dataclasses.replace(exp, allow=Allowances(cron=(path,)))
    assert outcome("sec_updates", facts_of(texts=texts), allowed) == "pass"


# ---------------------------------------------------------------- a login that may become root only with a password

LISTING = ("Matching Defaults entries for appuser on web:\t    env_reset\t\tUser appuser may run the following "
           "commands on web:\t    (ALL) ALL\t    (yourapplication) NOPASSWD: /var/www/yourapplication/releases/*/venv/"
           "bin/python\t")


def test_sudo_root_grants_are_read_from_the_listing():
    assert sudo_root_grants(LISTING) == ["(ALL) ALL"]
    assert sudo_root_grants(LISTING.replace("(ALL) ALL", "(root) NOPASSWD: /usr/bin/apt-get")) == [
        "(root) NOPASSWD: /usr/bin/apt-get"]
    assert sudo_root_grants("sudo: a password is required") == []


def test_a_login_that_may_become_root_with_a_password_is_no_read_only_gate(exp):
    facts = facts_of()
    facts.remote.update(as_root=False, sudo_refused="sudo: a password is required", sudo_list=LISTING)
    found = outcome("sudo", facts, exp)
    assert found.startswith("fail: appuser may become root on docker://web-1 (sudo -l lists '(ALL) ALL'), but sudo "
                            "-n refuses it"), found
    facts.remote["sudo_list"] = LISTING.replace("(ALL) ALL", "(ALL) NOPASSWD: /usr/bin/systemctl")
    assert "sudo -l lists '(ALL) NOPASSWD: /usr/bin/systemctl'" in outcome("sudo", facts, exp)
    facts.remote["sudo_list"] = "sudo: a password is required"  # no NOPASSWD rule at all: no listing, but
    group = facts.raw.files["/etc/group"]
    group["data"] = group["data"].replace("\nsudo:x:27:", "\nsudo:x:27:appuser")
    facts.raw = parse.Snapshot(facts.raw.raw)
    assert "it is in group sudo" in outcome("sudo", facts, exp)


def test_a_later_rule_asking_a_password_is_named_as_what_shadows_the_passwordless_one(exp):
    """One root cause, one line: sudo takes the last matching line; the root collector, run as the login, could
    not read root's files: that is this same cause, not a second failure nor a guess (noexec)."""
    facts = facts_of()
    later = LISTING.replace("    (ALL) ALL\t", "    (ALL) NOPASSWD: ALL\t") + "    (ALL) PASSWD: ALL\t"
    facts.remote.update(as_root=False, sudo_refused="sudo: a password is required", sudo_list=later,
                        errors={"root: /etc/shadow": "PermissionError: [Errno 13] Permission denied: '/etc/shadow'"})
    found = outcome("sudo", facts, exp)
    assert "sudo takes the last matching line, and '(ALL) PASSWD: ALL' comes after '(ALL) NOPASSWD: ALL'" in found
    assert outcome("host", facts, exp) == "pass"
    facts.remote["sudo_list"] = LISTING.replace("(ALL) ALL", "(ALL) NOPASSWD: /usr/bin/systemctl")  # another member:
    facts.remote["sudo_list"] += "    (root) /usr/bin/systemctl\t"  # a later rule for the same command, no tag
    assert "'(root) /usr/bin/systemctl' comes after '(ALL) NOPASSWD: /usr/bin/systemctl'" in outcome("sudo", facts, exp)
    facts.remote["sudo_list"] = LISTING  # no passwordless rule shadowed: no such cause
    assert "last matching line" not in outcome("sudo", facts, exp)
    facts.remote.update(as_root=True, errors={"root: runs": "PermissionError: [Errno 13] Permission denied: 'x'"})
    found = outcome("host", facts, exp)  # as root, refused running a program, no noexec line read: no guess
    assert found.startswith("fail: the fact probe could not read") and "noexec" not in found, found


def test_a_login_that_cannot_become_root_is_a_read_only_gate(exp):
    facts = facts_of()
    facts.remote.update(as_root=False, sudo_refused="sudo: a password is required",
                        sudo_list=LISTING.replace("    (ALL) ALL\t", ""))
    assert outcome("sudo", facts, exp).startswith("skip: appuser has no passwordless sudo")


# ---------------------------------------------------------------- the logins' own files


def test_a_dotfile_another_group_may_write_fails(exp):
    facts = facts_of()
    app_gid = int(facts.raw.users.by_name["yourapplication"][3]) if "yourapplication" in facts.raw.users.by_name \
        else None
    own = int(facts.raw.users.by_name["appuser"][3])
    facts.remote["login_files"] = {"appuser": {"/home/appuser": [0o40700, 1000, own],
                                               "/home/appuser/.bashrc": [0o100664, 1000, own]}}
    assert outcome("cw_login_files", facts, exp) == "pass"  # its own private group: no one else
    facts.remote["login_files"]["appuser"]["/home/appuser/.profile"] = [0o100664, 1000, 27]  # sudo's group
    group = facts.raw.files["/etc/group"]
    group["data"] = group["data"].replace("\nsudo:x:27:", "\nsudo:x:27:admin")
    facts.raw = parse.Snapshot(facts.raw.raw)
    found = outcome("cw_login_files", facts, exp)
    assert "/home/appuser/.profile (0664): writable by group sudo (admin): its login (appuser) runs or trusts it at " \
           "every SSH command" in found, (found, app_gid)
    facts.remote["login_files"]["appuser"] = {"/home/appuser/.bashrc -> /srv/env": [0o100644, 33, 33]}
    assert "owned by www-data" in outcome("cw_login_files", facts, exp)


def test_what_sshd_runs_or_sets_at_every_login_of_the_deploy_login_fails(exp):
    """blind7's e09: whoever holds the deploy login left ~/.ssh/rc, which sshd runs at every login of that account
    before its command, putting the attacker's key back after a rotation; shown on a real server. The file is the
    login's own (no other rule sees it); the other member: ~/.ssh/environment where PermitUserEnvironment is on."""
    facts = facts_of()
    own = int(facts.raw.users.by_name["appuser"][3])
    home = {"/home/appuser": [0o40700, 1000, own], "/home/appuser/.ssh": [0o40700, 1000, own]}
    facts.remote["login_files"] = {"appuser": dict(home, **{"/home/appuser/.ssh/environment": [0o100600, 1000, own]})}
    assert outcome("cw_login_files", facts, exp) == "pass"  # environment: read only under PermitUserEnvironment
    facts.remote["login_files"]["appuser"]["/home/appuser/.ssh/rc"] = [0o100600, 1000, own]
    found = outcome("cw_login_files", facts, exp)
    assert "- /home/appuser/.ssh/rc: sshd runs it at every SSH login of appuser, before the command" in found, found
    conf = text(facts_of(), "/etc/ssh/sshd_config") + "PermitUserEnvironment yes\n"
    env = facts_of({"/etc/ssh/sshd_config": conf})
    env.remote["login_files"] = {"appuser": dict(home, **{"/home/appuser/.ssh/environment": [0o100600, 1000, own]})}
    found = outcome("cw_login_files", env, exp)
    assert "- /home/appuser/.ssh/environment: sshd sets the variables it lists at every SSH login" in found, found


@pytest.mark.parametrize("rc, text, caught", [
    # blind12 p08 (shown: an SSH command of the admin login sourced the app user's .env, whose sudo -n id: root)
    (".bashrc", f"[ -r {R}/shared/data/.env ] && . {R}/shared/data/.env\ncase $- in *i*) ;; *) return;; esac\n",
     "sources"),
    # other members: a PATH entry where the app user writes, a program of its run at login, in ~/.profile too
    (".bashrc", f"export PATH={R}/shared/data/bin:$PATH\n", "finds commands in"),
    (".profile", f"{R}/shared/data/motd.sh\n", "runs"),
    # the login's own things and the deploy's released code: pass
    (".bashrc", "alias ll='ls -l'\n. /etc/bash_completion\n", None),
    (".bashrc", f"cd {R}/current && . venv/bin/activate\n", None)])
def test_a_login_shell_file_taking_code_from_where_the_app_writes_fails(exp, rc, text, caught):
    """Class (blind12 p08): the deploy login's shell startup files (bash runs ~/.bashrc for every SSH command: each
    deploy) were judged by who may write them, not by what they run: a line sourcing or running what the app user
    writes hands the login's rights (its sudo) to the least trusted account, as root's own files already said."""
    facts = facts_of()
    own = int(facts.raw.users.by_name["appuser"][3])
    facts.remote["login_files"] = {"appuser": {"/home/appuser": [0o40700, 1000, own],
                                               f"/home/appuser/{rc}": [0o100644, 1000, own, text.splitlines()]}}
    found = outcome("cw_login_files", facts, exp)
    if caught is None:
        assert found == "pass", found
        return
    assert f"- /home/appuser/{rc}:1: its login's shell (appuser) runs it " in found and f"it {caught} {R}/shared/" \
        f"data/" in found and "the app user's code runs as appuser, its sudo too" in found, found
    assert found.count(f"- /home/appuser/{rc}") == 1, found


def admin_host(files: dict, group_line: str = "sudo:x:27:alice"):
    """A stock host with alice, a member of sudo (so root), and the login collector's ``lstat`` of her home's
    files (``files``: path -> [mode, uid, gid]; her uid and gid 1500, group devs 1600 holds the app user)."""
    facts = facts_of()
    raw = facts.raw.raw
    raw["files"]["/etc/passwd"]["data"] += "alice:x:1500:1500::/home/alice:/bin/bash\n"
    raw["files"]["/etc/group"]["data"] = raw["files"]["/etc/group"]["data"].replace("\nsudo:x:27:", "\n" +
                                                                                    group_line + ",") + \
        "alice:x:1500:\ndevs:x:1600:alice,yourapplication\n"
    raw["files"].update({p: {"st": st + [0, 1700000000, 1]} if isinstance(st, list) else {"why": st}
                         for p, st in files.items()})
    facts.raw = parse.Snapshot(raw)
    facts.remote["login_files"] = {"appuser": {"/home/appuser": [0o40700, 1000, 1000]}}  # (the tree reader's)
    return facts


ALICE = {"/home/alice": [0o40755, 1500, 1500], "/home/alice/.ssh": [0o40700, 1500, 1500],
         "/home/alice/.ssh/authorized_keys": [0o100600, 1500, 1500], "/home/alice/.bashrc": [0o100644, 1500, 1500]}


@pytest.mark.parametrize("change, found", [
    # someone else may add a key: her key file writable by a group the app user is in
    ({"/home/alice/.ssh/authorized_keys": [0o100660, 1500, 1600]}, "/home/alice/.ssh/authorized_keys (0660): "
     "writable by group devs (yourapplication)"),
    # other members: her .bashrc the deploy login's (a line her next login runs), her home writable by everyone
    ({"/home/alice/.bashrc": [0o100644, 1000, 1000]}, "/home/alice/.bashrc (0644): owned by appuser"),
    ({"/home/alice": [0o40777, 1500, 1500]}, "/home/alice (0777): writable by everyone"),
    # a link among them: judged where it leads
    ({"/home/alice/.ssh/authorized_keys": {"st": [0o120777, 1500, 1500, 9, 0, 1], "link": "/srv/keys"},
      "/srv/keys": [0o100666, 0, 0]}, "/home/alice/.ssh/authorized_keys -> /srv/keys (0666): writable by everyone"),
])
def test_a_file_that_lets_in_as_a_login_that_may_become_root_is_its_own_or_roots_alone(exp, change, found):
    """Class (blind12b p02, the keys of a login that may become root): the gate judged root's keys and the deploy
    and gate logins' files, not those of another login that becomes root (a member of sudo): whoever may write
    its authorized_keys, its ~/.ssh, its home or its shell's files logs in as it, or runs code as it, and is root.
    An admin's own files, its own and 0600 (blind12b's control c04: a new admin with a key), pass."""
    assert outcome("cw_login_files", admin_host(ALICE), exp) == "pass"
    files = dict(ALICE)
    for path, st in change.items():
        files[path] = st
    facts = admin_host({p: st for p, st in files.items() if isinstance(st, list)})
    for path, entry in change.items():
        if isinstance(entry, dict):
            facts.raw.files[path] = entry
    result = outcome("cw_login_files", facts, exp)
    assert found + ": alice, who becomes root (sudo: its group sudo); sshd or its shell reads it" in result, result
    assert result.count("- /home/alice") == 1, result
    other = admin_host({p: st for p, st in files.items() if isinstance(st, list)}, "sudo:x:27:")  # not an admin
    for path, entry in change.items():
        if isinstance(entry, dict):
            other.raw.files[path] = entry
    assert outcome("cw_login_files", other, exp) == "pass"


def test_a_central_key_file_of_a_login_that_may_become_root_is_judged_and_dated(exp):
    """Another member: sshd takes the keys from elsewhere (``AuthorizedKeysFile /etc/ssh/keys/%u``, the usual
    central layout, each file world-readable): alice's file there, owned by the deploy login, lets it add a key;
    the same file root's passes, and one changed after the deploy is in the drift section."""
    from deploytests.verify import drift

    conf = text(facts_of(), "/etc/ssh/sshd_config") + "AuthorizedKeysFile /etc/ssh/keys/%u .ssh/authorized_keys\n"
    facts = admin_host(ALICE)
    facts.raw.files["/etc/ssh/sshd_config"]["data"] = conf
    facts.raw.files["/etc/ssh/keys"] = {"st": [0o40755, 0, 0, 0, 0, 1]}
    facts.raw.files["/etc/ssh/keys/alice"] = {"st": [0o100644, 0, 0, 0, 1700000000, 1]}
    assert outcome("cw_login_files", facts, exp) == "pass"
    facts.remote["inventory"] = {"mtimes": {}}
    facts.raw.files["/etc/ssh/keys/alice"]["st"][4] = 1700000500
    assert "/etc/ssh/keys/alice 22:21:40" in (drift.keys(facts, 1700000400) or ""), drift.keys(facts, 1700000400)
    facts.raw.files["/etc/ssh/keys/alice"]["st"][1] = 1000  # (appuser, the deploy login)
    found = outcome("cw_login_files", facts, exp)
    assert "- /etc/ssh/keys/alice (0644): owned by appuser: alice, who becomes root (sudo: its group sudo); sshd " \
           "or its shell reads it at every login of alice: whoever else may write it adds a key that logs in as " \
           "alice, and so is root" in found, found


def test_the_keys_of_a_login_that_may_become_root_not_looked_at_are_said(exp):
    """A home the gate's login may not enter (Debian 13's 0700): not a failure, a line of the drift section."""
    facts = admin_host({"/home/alice": [0o40700, 1500, 1500], "/home/alice/.ssh": "Permission denied"})
    assert outcome("cw_login_files", facts, exp) == "pass"
    assert any("/home/alice (alice: alice, who becomes root" in n and ".ssh not looked at (Permission denied)" in n
               for n in facts.notes), facts.notes
    facts = admin_host(dict(ALICE, **{"/home/alice/.ssh/authorized_keys": "Permission denied"}))  # (.ssh 0700)
    assert outcome("cw_login_files", facts, exp) == "pass"
    assert any(".ssh/authorized_keys not looked at" in n for n in facts.notes), facts.notes


def test_a_startup_file_in_a_home_the_gate_login_may_not_enter_is_judged_from_roots_read(exp):
    """Debian 13's 0700 home: the login collector could not look at alice's ``.bashrc``, root's collector read it
    (``collect_root.keys``: its ``lstat`` and bytes win in the merged snapshot): owned by the app user, it fails as
    it does in a 0755 home, and nothing is left for the drift section; her own file passes."""
    facts = admin_host({"/home/alice": [0o40700, 1500, 1500], "/home/alice/.ssh": "Permission denied",
                        "/home/alice/.profile": "Permission denied"})
    facts.raw.files["/home/alice/.bashrc"] = {"st": [0o100644, 1000, 1000, 9, 1700000000, 2], "data": "ls\n"}
    result = outcome("cw_login_files", facts, exp)
    assert "- /home/alice/.bashrc (0644): owned by appuser: alice, who becomes root" in result, result
    facts.raw.files["/home/alice/.bashrc"]["st"][1:3] = [1500, 1500]
    facts.raw.files["/home/alice/.profile"] = {"st": [0o100644, 1500, 1500, 9, 1700000000, 3], "data": "ls\n"}
    facts.raw.files["/home/alice/.ssh"] = {"st": [0o40700, 1500, 1500, 9, 1700000000, 4]}
    assert outcome("cw_login_files", facts, exp) == "pass"
    assert not any(".bashrc" in n for n in facts.notes), facts.notes


def test_a_key_file_of_a_login_that_may_become_root_changed_after_the_deploy_is_in_the_drift_section():
    """blind12b's p02: a departed colleague's key appended to the authorized_keys of a login with sudo. Which key
    is an admin's own no rule can tell: the drift section names the file and when it changed."""
    from deploytests.verify import drift

    facts = admin_host(dict(ALICE, **{"/home/alice/.ssh/authorized_keys": [0o100600, 1500, 1500]}))
    facts.remote["inventory"] = {"mtimes": {}}
    facts.raw.files["/home/alice/.ssh/authorized_keys"]["st"][4] = 1700000500
    assert drift.keys(facts, 1700000400) == "keys of logins that may become root changed after the deploy " \
                                             "(mtime): /home/alice/.ssh/authorized_keys 22:21:40"
    assert drift.keys(facts, 1700000600) is None


def test_login_files_are_read_through_links(tmp_path, monkeypatch):
    import pwd

    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".bashrc").write_text("# mine\n")
    (tmp_path / "elsewhere").write_text("x")
    os.symlink(tmp_path / "elsewhere", home / ".profile")
    me = pwd.getpwuid(os.getuid())
    fake = pwd.struct_passwd((me.pw_name, "x", me.pw_uid, me.pw_gid, "", str(home), "/bin/sh"))
    monkeypatch.setattr(reader.pwd, "getpwnam", lambda n: fake)
    found = reader.login_files([me.pw_name])[me.pw_name]
    assert set(found) == {str(home), f"{home}/.bashrc", f"{home}/.ssh", f"{home}/.profile -> {tmp_path}/elsewhere"}


# ---------------------------------------------------------------- packaged files


def test_packaged_files_changed_after_install_are_hashed(tmp_path, monkeypatch):
    info = tmp_path / "info"
    info.mkdir()
    kept, changed = tmp_path / "kept.py", tmp_path / "changed.py"
    kept.write_bytes(b"ok\n")
    changed.write_bytes(b"shipped\n")
    rows = "".join(f"{hashlib.md5(p.read_bytes()).hexdigest()}  {str(p)[1:]}\n" for p in (kept, changed))
    (info / "libpython3.11-stdlib:amd64.md5sums").write_text(rows)
    (info / "other.md5sums").write_text(f"{'0' * 32}  {str(kept)[1:]}\n")
    monkeypatch.setattr(reader, "DPKG_INFO", str(info))
    monkeypatch.setattr(reader, "CTIME_SLACK", -3600)  # (every file counts as changed after install here)
    changed.write_bytes(b"patched\n")
    found = reader.packaged(["libpython3.11*"])
    assert found["changed"] == [[str(changed), "libpython3.11-stdlib"]] and found["checked"] == 2
    monkeypatch.setattr(reader, "CTIME_SLACK", 3600)  # not changed since install: not even hashed
    assert reader.packaged(["libpython3.11*"])["hashed"] == 0


def test_a_changed_packaged_file_fails(exp):
    facts = facts_of()
    facts.remote["packaged"] = {"checked": 900, "hashed": 1, "bounds": [],
                                "changed": [["/usr/lib/apache2/modules/mod_wsgi.so-3.11", "libapache2-mod-wsgi-py3"]]}
    assert "/usr/lib/apache2/modules/mod_wsgi.so-3.11: not what libapache2-mod-wsgi-py3 installed (dpkg's md5sums)" \
        in outcome("cw_packaged", facts, exp)
    facts.remote["packaged"]["changed"] = []
    assert outcome("cw_packaged", facts, exp) == "pass"


# ---------------------------------------------------------------- kept releases


def test_entry_point_attributes_are_read_not_imported(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("import os\nfrom flask import Flask as F\napp = F(__name__)\n"
                                                  "def create_app():\n    return app\nraise SystemExit('never run')\n")
    (tmp_path / "cond.py").write_text("try:\n    from x import app\nexcept ImportError:\n    pass\n")
    assert reader.entry_defined(str(tmp_path), "pkg:app") is True
    assert reader.entry_defined(str(tmp_path), "pkg:create_app()") is True
    assert reader.entry_defined(str(tmp_path), "pkg:F") is True
    assert reader.entry_defined(str(tmp_path), "pkg:make_app()") is False
    assert reader.entry_defined(str(tmp_path), "cond:app") is None  # bound in a try: cannot be told
    assert reader.entry_defined(str(tmp_path), "missing:app") is None


def test_compared():
    assert reader.compared({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}, "venv/") == [
        "added venv/c", "changed venv/b"]


def test_keys_in_roots_own_directory_pass(exp):
    facts = facts_of()
    conf = text(facts, "/etc/ssh/sshd_config").replace("AuthorizedKeysFile .ssh/authorized_keys",
                                                       "AuthorizedKeysFile /etc/ssh/keys/%u")
    facts = facts_of({"/etc/ssh/sshd_config": conf})
    facts.raw.files["/etc/ssh/keys"] = {"st": [0o40755, 0, 0, 4096, 0, 0]}  # (the collector lists /etc/ssh)
    assert outcome("cw_sshd", facts, exp) == "pass"
    facts.raw.files["/etc/ssh/keys"]["st"][1] = 1000
    assert "/etc/ssh/keys 0755 appuser:root may be changed by someone but root" in outcome("cw_sshd", facts, exp)


def test_a_running_sshds_own_arguments_count(exp):
    procs = {"41": {"uid": 0, "exe": "/usr/sbin/sshd", "cmdline": "sshd: /usr/sbin/sshd -D -e -o PermitRootLogin=yes "
                    "[listener] 0 of 10-100 startups"},
             "57": {"uid": 0, "exe": "/usr/sbin/sshd", "cmdline": "sshd: appuser [priv]"},
             "60": {"uid": 0, "exe": "/usr/sbin/sshd", "cmdline": "/usr/sbin/sshd\x00-f\x00/srv/sshd.conf\x00"},
             "61": {"uid": 1000, "exe": "/home/x/sshd", "cmdline": "sshd: /usr/sbin/sshd [listener]"}}
    assert sshd_listeners(procs) == {"41": ["-D", "-e", "-o", "PermitRootLogin=yes"], "60": ["-f", "/srv/sshd.conf"]}
    facts = facts_of()
    facts.raw.raw["proc"] = procs
    found = outcome("cw_sshd", facts, exp)
    assert "pid 41's command line (-o PermitRootLogin=yes): permitrootlogin yes: root logs in with a password" in found
    assert "/srv/sshd.conf: sshd reads it to decide who logs in, but the gate could not (pid 60's command line has " \
           "sshd read it (-f), not /etc/ssh/sshd_config)" in found, found


def test_a_session_sshd_refuses_on_an_open_connection_names_max_sessions():
    """blind8's h25: with MaxSessions 1 the probe failed with 'ChannelException(2, Connect failed)' and no cause;
    the line now names sshd's MaxSessions. Other refusals keep their own text."""
    import paramiko

    from deploytests.verify.facts import refused_why

    assert "its MaxSessions (sshd_config, a Match block) is below" in refused_why(
        paramiko.ChannelException(2, "Connect failed"))
    assert refused_why(paramiko.ChannelException(1, "Administratively prohibited")) == ""
    assert refused_why(OSError("Connection refused")) == ""


@pytest.mark.parametrize("line, key", [("PermitUserEnvironment yes", "permituserenvironment yes"),
                                       ("PermitUserEnvironment no", None),
                                       # a user CA is judged by its key (cw_become, allow_keys), not as a guard off
                                       ("TrustedUserCAKeys /etc/ssh/user_ca.pub", None)])
def test_any_sshd_setting_that_widens_trust_fails_by_the_one_guard_pattern(exp, line, key):
    """sshd's settings past its own table (SSHD_BAD): each one collect_login.GUARD_OFF calls a guard off (a
    permission set for all: PermitUserEnvironment yes lets a login held to one command by its key's command= set
    LD_PRELOAD in ~/.ssh/environment and run what it likes)."""
    found = outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config.d/50.conf": line + "\n"}, "debian12-plain"), exp)
    if key:
        assert f"/etc/ssh/sshd_config.d/50.conf:1: {key}: it turns off a check sshd makes" in found, found
    elif line.startswith("TrustedUserCAKeys"):  # (its file is judged as every file that decides a key login)
        assert "it turns off a check sshd makes" not in found, found
    else:
        assert found == "pass", found


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("auth\trequisite\t\t\tpam_deny.so\n", ""),  # the fallback deny deleted
    lambda t: t.replace("auth\trequisite\t\t\tpam_deny.so", "#auth\trequisite\t\t\tpam_deny.so"),
    lambda t: t.replace("auth\trequisite\t\t\tpam_deny.so", "auth\toptional\t\t\tpam_deny.so")])
def test_an_auth_stack_that_lets_a_wrong_password_in_fails_once(exp, edit):
    """common-auth is written by pam-auth-update (no dpkg conffile to compare with): its requisite pam_deny.so is
    the guard that stops a failed pam_unix from falling through to pam_permit. Taken away (deleted, commented out,
    made optional), every service including it lets a wrong password in; the line names common-auth, not each
    service (one cause, one line)."""
    base = facts_of(server="debian12-plain")
    stock = text(base, "/etc/pam.d/common-auth")
    assert "auth\trequisite\t\t\tpam_deny.so" in stock and outcome("cw_pam", base, exp) == "pass"
    found = outcome("cw_pam", facts_of({"/etc/pam.d/common-auth": edit(stock)}, "debian12-plain"), exp)
    assert "- /etc/pam.d/common-auth: its auth stack (what it includes read in place) lets in with a wrong " \
           "password" in found, found
    assert len(re.findall(r"(?m)^\s*- .* lets in with a wrong password", found)) == 1, found


def test_a_service_whose_own_stack_lets_in_is_named_and_a_sufficient_permit_is_one_line(exp):
    """A service's own file that skips common-auth's guard (a failed pam_rootok jumping over pam_unix and pam_deny)
    is that file's line; a sufficient pam_permit, already its own line, is not said twice."""
    su = "auth [success=2 default=ignore] pam_rootok.so\n@include common-auth\nauth required pam_permit.so\n"
    found = outcome("cw_pam", facts_of({"/etc/pam.d/su": su}, "debian12-plain"), exp)
    assert " lets in with" not in found, found  # (rootok's success jumps: only a root caller)
    su = "auth [default=2 success=ignore] pam_rootok.so\n@include common-auth\nauth required pam_permit.so\n"
    found = outcome("cw_pam", facts_of({"/etc/pam.d/su": su}, "debian12-plain"), exp)
    assert "- /etc/pam.d/su: its auth stack" in found, found
    assert len(re.findall(r"(?m)^\s*- .* lets in with a wrong password", found)) == 1, found
    su = "auth sufficient pam_permit.so\n@include common-auth\n"
    found = outcome("cw_pam", facts_of({"/etc/pam.d/su": su}, "debian12-plain"), exp)
    assert "su:1: auth sufficient pam_permit.so" in found and " lets in with" not in found, found


def test_an_account_stack_that_lets_an_expired_account_in_fails_once(exp):
    """The same guard in pam-auth-update's common-account: its requisite pam_deny.so stops a failed pam_unix
    account check (an expired account or password) from falling through to pam_permit."""
    base = facts_of(server="debian12-plain")
    stock = text(base, "/etc/pam.d/common-account")
    assert "pam_deny.so" in stock and outcome("cw_pam", base, exp) == "pass"
    edited = "".join(ln for ln in stock.splitlines(keepends=True) if "pam_deny.so" not in ln)
    found = outcome("cw_pam", facts_of({"/etc/pam.d/common-account": edited}, "debian12-plain"), exp)
    assert len(re.findall(r"(?m)^\s*- /etc/pam.d/common-account: its account stack .* lets in an account", found)) \
        == 1, found


@pytest.mark.parametrize("shell", ["/usr/sbin/nologin", "/bin/false"])
def test_an_account_that_cannot_log_in_has_no_login_files_to_judge(exp, shell):
    """A false alarm (the lead's rerun of blind12b's allowed baseline): the app user, given an allowed sudo rule
    for one root script, counted as a login that may become root, and its home -- the app's root, the deploy
    login's by design -- was 'owned by appuser'. A nologin account has no login whose files run (sshd runs every
    session through that shell); another member: any such account in sudo, its home loose."""
    facts = admin_host(dict(ALICE, **{"/home/alice": [0o40777, 1500, 1500]}))
    assert "/home/alice (0777): writable by everyone" in outcome("cw_login_files", facts, exp)
    facts.raw.files["/etc/passwd"]["data"] = facts.raw.files["/etc/passwd"]["data"].replace(
        "alice:x:1500:1500::/home/alice:/bin/bash", f"alice:x:1500:1500::/home/alice:{shell}")
    facts.raw = parse.Snapshot(facts.raw.raw)
    assert outcome("cw_login_files", facts, exp) == "pass"


def test_the_login_collector_never_looks_into_the_home_of_an_account_that_cannot_log_in(tmp_path, monkeypatch):
    """The fresh-clone CI's trust test: the login collector (run as root there) lstat'd the app user's home files
    -- the app's root, the deploy login's tree -- for a rule that judges only logins that may become root. An
    account with a nologin shell has no login whose files run, so its home is not looked into; one with a shell
    is."""
    import pwd

    from deploytests.verify import collect_login

    app, admin = tmp_path / "app", tmp_path / "alice"
    for home in (app, admin):
        (home / ".ssh").mkdir(parents=True)
    accounts = [pwd.struct_passwd(("yourapplication", "x", 999, 999, "", str(app), "/usr/sbin/nologin")),
                pwd.struct_passwd(("alice", "x", 1500, 1500, "", str(admin), "/bin/bash"))]
    monkeypatch.setattr(pwd, "getpwall", lambda: accounts)
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    collect_login.login_homes(out)
    assert f"{admin}/.ssh" in out["files"] and not [p for p in out["files"] if p.startswith(f"{app}/")], out["files"]


@pytest.mark.parametrize("path, old, new, weak", [
    ("/etc/pam.d/common-password", " yescrypt", " md5", "MD5-crypt"),
    ("/etc/pam.d/passwd", "@include common-password", "password required pam_unix.so bigcrypt", "DES-based bigcrypt"),
    ("/etc/pam.d/common-password", " yescrypt", " sha512 rounds=65536", None)])
def test_a_password_stack_storing_new_passwords_in_a_weak_hash_fails(exp, path, old, new, weak):
    """Class (blind set 5): PAM's password stack was not judged: pam_unix told to store new passwords as MD5-crypt
    (for an old sync tool) passed; every password set from then on is cracked quickly from a copy of /etc/shadow."""
    base = text(facts_of(), path)
    assert old in base
    found = outcome("cw_pam", facts_of({path: base.replace(old, new)}), exp)
    if weak is None:
        assert found == "pass", found
    else:
        assert f"is stored as {weak}" in found and path in found, found


@pytest.mark.parametrize("server", sorted(STOCK))
def test_an_ssh_client_setting_that_lends_credentials_or_takes_any_host_key_fails(server, exp):
    """Class (blind: ``Host *`` / ``ForwardAgent yes`` in ssh_config.d passed): the SSH client every login here uses
    hands what it holds to the hosts it connects to, or takes any host for the one asked for. Other members:
    GSSAPIDelegateCredentials yes, StrictHostKeyChecking no in a Host block of ssh_config itself, an agent socket
    path. Each is one line naming the file and allow_cron (pinned); Debian's own client settings pass."""
    drop = "/etc/ssh/ssh_config.d/10-ops.conf"
    members = {(drop, "Host *\n    ForwardAgent yes\n"): f"{drop}:2: ForwardAgent yes",
               (drop, "Host *\n    ForwardAgent /run/user/0/agent.sock\n"): "ForwardAgent /run/user/0/agent.sock",
               (drop, "Host *.corp\n    GSSAPIDelegateCredentials=yes\n"): "GSSAPIDelegateCredentials yes",
               ("/etc/ssh/ssh_config", "Host backup\n    StrictHostKeyChecking no\n"): "StrictHostKeyChecking no"}
    for (path, text_), said in members.items():
        found = outcome("sec_ssh_limits", facts_of(server=server, texts={path: text_}), exp)
        assert found.startswith("fail") and said in found and f'allow_cron = ["{path} sha256:' in found, found
        allowed = Expected.from_config(load_config(APPS / "yourapplication"), "appuser",
                                       allow=Allowances(cron=(path,)))
        assert outcome("sec_ssh_limits", facts_of(server=server, texts={path: text_}), allowed) == "pass"
    for fine in ("Host *\n    ForwardAgent no\n", "Host *\n    StrictHostKeyChecking accept-new\n",
                 "Host *\n    GSSAPIAuthentication yes\n    HashKnownHosts yes\n", "# ForwardAgent yes\n"):
        assert outcome("sec_ssh_limits", facts_of(server=server, texts={drop: fine}), exp) == "pass", fine


@pytest.mark.parametrize("server", ["debian12-plain", "debian13-plain"])
@pytest.mark.parametrize("path, line", [
    # blind round 6's: the CVE-2016-0777 advice (an ssh client option) dropped into sshd_config.d
    ("/etc/ssh/sshd_config.d/cve-2016-0777.conf", "UseRoaming no"),
    # other members: a typo in the main file, a client option in a Match block
    ("/etc/ssh/sshd_config", "PermitRootLogon no"),
    ("/etc/ssh/sshd_config", "Match User appuser\n    ForwardAgent no"),
])
def test_a_keyword_the_servers_sshd_does_not_take_fails(server, path, line, exp):
    """sshd refuses its whole configuration at its next start for one line of a keyword it does not take ('Bad
    configuration option', exit 255): judged against the keywords the stack's own sshd takes (measured)."""
    stack = for_platform(server.split("-")[0])
    exp = dataclasses.replace(exp, stack=stack)
    conf = text(facts_of(server=server), "/etc/ssh/sshd_config")
    texts = {path: (conf if path.endswith("sshd_config") else "") + line + "\n"}
    found = outcome("cw_sshd", facts_of(texts, server=server), exp)
    key = line.split()[-2].lower() if "Match" in line else line.split()[0].lower()
    assert f"{path}:" in found and f"{key!r} is no option of {stack.title}'s sshd: its next start" in found, found


@pytest.mark.parametrize("line, passes_on", [
    ("Protocol 2", {"debian12", "debian13"}),  # deprecated keywords sshd still takes (it warns)
    ("ChallengeResponseAuthentication no", {"debian12", "debian13"}),
    ("PerSourcePenalties authfail:1h", {"debian13"}),  # OpenSSH 9.8's: Debian 12's 9.2 refuses it
])
def test_keywords_are_judged_by_the_servers_own_sshd(line, passes_on, exp):
    for platform in ("debian12", "debian13"):
        stack = for_platform(platform)
        facts = facts_of({"/etc/ssh/sshd_config": text(facts_of(server=f"{platform}-plain"), "/etc/ssh/sshd_config")
                          + line + "\n"}, server=f"{platform}-plain")
        found = outcome("cw_sshd", facts, dataclasses.replace(exp, stack=stack))
        assert (found == "pass") == (platform in passes_on), (platform, found)


@pytest.mark.parametrize("line, cut", [
    ("ChannelTimeout *=30s", "*=30s"),  # blind round 6's: every channel, 30 s
    ("ChannelTimeout session=2m", "session=2m"),  # other members: the session channels (OpenSSH 9.7+'s name),
    ("ChannelTimeout session:command=1m30s", "session:command=1m30s"),  # 9.2's name for a command's channel,
    ("ChannelTimeout global=4m", "global=4m"),  # and all channels together
    ("ChannelTimeout agent-connection=1m session=5m", None),  # not the pipeline's channels; 5 m is post_deploy's bound
    ("ChannelTimeout *=1h", None),
    ("ChannelTimeout session=none", None),
])
def test_sshd_closing_a_silent_deploy_session_sooner_than_its_steps_bound_fails(line, cut, exp):
    """From sshd's next start, ChannelTimeout closes a channel silent that long: a deploy's session whose install,
    post_deploy command (bounded by post_deploy_timeout, 300 s by default) or health wait prints nothing as long."""
    conf = text(facts_of(), "/etc/ssh/sshd_config")
    found = outcome("cw_sshd", facts_of({"/etc/ssh/sshd_config": line + "\n" + conf}), exp)
    if cut is None:
        assert found == "pass", found
    else:
        assert f"/etc/ssh/sshd_config:1: ChannelTimeout {cut}: sshd closes a session channel silent for" in found \
            and "loses its session midway" in found, found


# ---------------------------------------------------------------- the stack's packages kept by apt's marks

def marked_auto(*names: str) -> dict:
    return {"/var/lib/apt/extended_states": "".join(f"Package: {n}\nArchitecture: amd64\nAuto-Installed: 1\n\n"
                                                    for n in names)}


def stack_status(py: str) -> str:
    """dpkg's status of the stack's packages with their dependencies as Debian ships them (shortened)."""
    pkgs = {"apache2": "Depends: apache2-bin (= 2.4.62-1), apache2-data, apache2-utils, lsb-base\n"
                       "Recommends: ssl-cert\n",
            "apache2-bin": "Depends: libapr1 (>= 1.7.0), libc6 (>= 2.34)\nProvides: httpd, apache2-api-20120211\n",
            "apache2-data": "", "apache2-utils": "Depends: libapr1, libc6\n", "libapr1": "Depends: libc6\n",
            "libc6": "", "lsb-base": "", "ssl-cert": "",
            "libapache2-mod-wsgi-py3": f"Depends: apache2-api-20120211, apache2-bin (>= 2.4.16-6~), "
                                       f"python3 (>= 3.11~), libpython{py} (>= {py}), libc6:any\n",
            "python3": f"Pre-Depends: python{py}-minimal\nDepends: python{py}\n",
            f"python{py}": f"Depends: python{py}-minimal, libpython{py}-stdlib\n",
            f"python{py}-minimal": "", f"libpython{py}-stdlib": "", f"libpython{py}": "",
            "sudo": "Depends: libc6, libpam-modules\n", "libpam-modules": "", "openssh-server": ""}
    return "".join(f"Package: {n}\nStatus: install ok installed\nPriority: optional\n{d}\n" for n, d in pkgs.items())


@pytest.mark.parametrize("server", sorted(STOCK))
def test_the_stacks_packages_the_next_autoremove_removes_fail(server, exp):
    """Class: the stack kept only by chance, its packages marked installed automatically (``apt-mark auto``, a
    clean-up of "what we installed by hand") with nothing installed by hand needing them: the server serves, the
    gate passed, and the next ``apt autoremove`` (by hand, by unattended-upgrades' Remove-Unused-Dependencies, or
    the one apt offers after every install) removes Apache and mod_wsgi. Other member: sudo alone (the deploy's
    every root step). A stack package something kept needs (Python, through mod_wsgi's Depends) stays."""
    py = for_platform(server.split("-")[0]).python_version
    status = {"/var/lib/dpkg/status": stack_status(py)}
    assert outcome("sec_updates", facts_of(status, server), exp) == "pass"
    found = outcome("sec_updates", facts_of({**status, **marked_auto("apache2", "libapache2-mod-wsgi-py3")},
                                            server), exp)
    assert "/var/lib/apt/extended_states: apache2, libapache2-mod-wsgi-py3: marked installed automatically" in \
        found and "the next apt autoremove removes them" in found, found
    found = outcome("sec_updates", facts_of({**status, **marked_auto("sudo")}, server), exp)
    assert "/var/lib/apt/extended_states: sudo: marked installed automatically" in found, found
    kept = marked_auto(f"python{py}", f"libpython{py}", f"python{py}-minimal", "apache2-bin", "python3")
    assert outcome("sec_updates", facts_of({**status, **kept}, server), exp) == "pass"
    # apache2 auto, but a package installed by hand needs a web server by its virtual name: apache2-bin stays,
    # apache2 (its configuration and scripts) goes
    found = outcome("sec_updates", facts_of({"/var/lib/dpkg/status": stack_status(py) + "Package: site\nStatus: "
                                             "install ok installed\nDepends: httpd\n\n", **marked_auto(
                                                 "apache2", "apache2-bin")}, server), exp)
    assert "extended_states: apache2: marked" in found, found
