"""A recorded clean host's facts completed with what the login rules read (recorded before they existed)."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

from deploytests.verify import parse
from deploytests.verify.promises import NotApplicable, verify

LOGINS = {"cw_sshd", "cw_pam", "cw_login_files", "cw_packaged", "sec_apt", "cw_root_acts", "cw_traced"}  # need it
LOGINS |= {"sec_ssh_crypto", "sec_ssh_limits", "sec_updates"}
BASELINE = {"cw_become", "cw_deploy_account", "sec_secrets", "sec_logs", "sec_sysctl", "sec_sticky"}  # and these
LOGINS |= BASELINE


def with_stock_logins(facts, platform: str = "debian12"):
    """``facts`` with a root snapshot: its recorded texts and the login files of the project's Debian 12 image
    (``data/logins-stock.json``; the host baseline's files and the hash-free shadow: ``data/baseline-stock.json``),
    and the tree reader's clean logins' homes and packaged files."""
    stock = json.loads((Path(__file__).parent / "data" / "logins-stock.json").read_text())[f"{platform}-image"]
    files = copy.deepcopy(stock["files"])
    for t in facts.remote["inventory"]["texts"]:
        files[t["path"]] = {"link": t["text"][3:]} if t["text"].startswith("-> ") else {"data": t["text"]}
    acts = json.loads((Path(__file__).parent / "data" / "rootacts-stock.json").read_text())[platform]
    files.update({p: e for p, e in acts["files"].items() if p not in files or p.startswith("/var/lib/dpkg/")})
    base = json.loads((Path(__file__).parent / "data" / "baseline-stock.json").read_text())[f"{platform}-image"]
    facts.raw = parse.Snapshot({"files": dict(base["files"], **files), "dirs": dict(base["dirs"], **stock["dirs"],
                                                                                   **acts["dirs"]),
                                "proc": acts["proc"], "shadow": base["shadow"], "time": base["time"]})
    facts.remote.update(login_files={"appuser": {"/home/appuser": [0o40755, 1000, 1000],
                                                 "/home/appuser/.bashrc": [0o100644, 1000, 1000]}},
                        packaged={"checked": 1905, "hashed": 0, "changed": [], "bounds": []})
    return facts


LOADS = {"cw_mapped", "cw_bytecode"}  # the rules of what Apache and the daemons map and import (recorded after)
STOCK_LOADS = json.loads((Path(__file__).parent / "data" / "loads-stock.json").read_text())


def with_stock_loads(facts, platform: str = "debian12"):
    """``facts`` with what Apache's processes map and the tree reader's bytecode comparison on a clean deployed
    server of the project's image for ``platform`` (debian12, debian13: ``data/loads-stock.json``, measured)."""
    facts.remote["inventory"]["mapped"] = copy.deepcopy(STOCK_LOADS[platform]["mapped"])
    facts.remote["bytecode"] = copy.deepcopy(STOCK_LOADS[platform]["bytecode"])
    return facts


def with_cross_origin(facts, **headers):
    """``facts`` with the runner's GET / sent with another site's ``Origin`` (sec_cors), answered with ``headers``
    (a stock server's: none of the CORS headers)."""
    import requests

    from deploytests.verify.facts import CROSS_ORIGIN

    resp = requests.Response()
    resp.status_code, resp._content, resp.url = 200, b"yourapplication 1.0", "http://127.0.0.1:8080/"
    resp.headers.update(headers)
    resp.request = requests.Request("GET", resp.url, headers={"Origin": "https://0a1b2c3d4e5f.invalid"}).prepare()
    facts.responses = dict(facts.responses or {}, **{CROSS_ORIGIN: resp})
    return facts


def as_reviewed(facts, exp):
    """``exp`` with each allowance that pins content but was written without a pin pinned to what ``facts``
    show (as its admin writes it after reviewing the thing: the gate's hint); written pins are kept as they are.
    The tests of what an allowance accepts write names; the pin itself is tested in test_pins."""
    import dataclasses

    from deploytests.allowances import PINNED, RUNS, split_pin
    from deploytests.verify.pins import digest, free, programs

    def pinned(kind, entry):
        name, pin = split_pin(entry)
        if kind in RUNS and pin is None and not free(kind, name) and digest(facts, kind, name, exp) is None:
            hashed(programs(kind, name, exp))
        found = None if pin is not None or free(kind, name) else digest(facts, kind, name, exp)
        return f"{name} sha256:{found}" if found else entry

    def hashed(paths):  # what the login collector hashes of every process's command line, for facts without it
        sent = facts.remote.setdefault("inventory", {}).setdefault("programs", {})
        sent.update({p.split(" ")[0]: [hashlib.sha256(p.encode()).hexdigest(), 0.0, 0] for p in paths
                     if not any(c in sent for c in p.split(" "))})

    return dataclasses.replace(exp, allow=dataclasses.replace(exp.allow, **{
        k: tuple(pinned(k, e) for e in getattr(exp.allow, k)) for k in PINNED + RUNS}))


def outcome(pid, facts, exp):
    """``verify(pid, ...)`` as ``"pass"``, ``"skip: why"`` or ``"fail: message"``, the allowances as reviewed
    (:func:`as_reviewed`)."""
    try:
        verify(pid, facts, as_reviewed(facts, exp))
        return "pass"
    except NotApplicable as why:
        return f"skip: {why}"
    except AssertionError as failed:
        return f"fail: {failed}"
