"""Drift since the deploy: what changed on a server since its live release was deployed, as a short report.

Not a check: the checks judge the server against what deploytests writes, the stack's stock server and the
target's allowances, from records the less trusted parties cannot forge (the runner's own templates, dpkg's
database, the artifact packed here). The drift report answers another question, "what changed since the
deploy?", and for that it needs a record made at deploy time:

- ``releases/<id>/SNAPSHOT.json``, written by the deploy (the deploy login) just before ``RELEASE.json``: the
  sha256 of every file of the release's ``venv/lib`` and ``venv/bin``, of every entry under ``/etc/apache2``
  (links with their targets), and the app and deploy users' groups; ``RELEASE.json`` records the config the
  release started with (``config_sha256``). These are the deploy login's files: they are only as trustworthy
  as that login (it could rewrite them to hide its own change), so the report says so; the rollback check
  compares kept releases with their own record and with the artifact the runner packed (the reference out of
  that login's reach); nothing else relies on them. What a check could not compare (a kept release whose
  artifact the runner does not have) is a ``not checked:`` line here.
- What only root can read (sudoers, crontabs, the user and group databases) is dated by its mtime, read by the
  probe as root: changed after the deploy, or not. When the deploy was is the deploy login's claim too
  (:func:`deployed`: ``created_at`` and the release id, the earlier taken, a disagreement said): no date on the
  server bounds it against that login (it can rename its release, touch its files), so a forgery of both hides
  what changed before the forged time; an edited ``created_at`` alone hides nothing.

One section per host, a few lines, from the facts the gate already gathered (no round trip). The states the
pipeline itself produces (a rollback: the live release's own record; a config-only change: a new release with
its config; a refused release; a recovered interrupted deploy) show nothing.
"""

from __future__ import annotations

import datetime as _dt

SHOWN = 3  # names shown per kind of change
START_SLACK = 0.02  # seconds: a daemon's start time is counted in clock ticks (promises.START_SLACK)


def _when(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _names(paths) -> str:
    paths = sorted(paths)
    more = f" (+{len(paths) - SHOWN} more)" if len(paths) > SHOWN else ""
    return ", ".join(paths[:SHOWN]) + more


def release_files(snap: dict, live: dict) -> str | None:
    """Files of the live venv added, changed or removed since the deploy recorded them (None: none)."""
    then, now = snap.get("files") or {}, live.get("hashes") or {}
    added = [p for p in now if p not in then]
    changed = [p for p in now if p in then and now[p] != then[p]]
    removed = [p for p in then if p not in now]
    if not (added or changed or removed):
        return None
    parts = [f"{len(x)} {what} ({_names(x)})" for what, x in (("added", added), ("changed", changed),
                                                              ("removed", removed)) if x]
    return f"release files (venv/lib, venv/bin): {'; '.join(parts)}"


def config(meta: dict, facts) -> str | None:
    then, now = meta.get("config_sha256"), facts.get("config_sha256")
    if then == now:
        return None
    if now is None:
        return "config: the config the release started with is gone (or unreadable)"
    if then is None:
        return f"config: a config (sha256 {now[:12]}) is there, the release started without one"
    return f"config: not the one the release started with (sha256 {now[:12]} now, {then[:12]} at the deploy)"


def apache(snap: dict, facts) -> str | None:
    """Apache's files in force now against /etc/apache2 as the deploy saw it: in force but not there then,
    changed, and files in force then (an enabled link) that are gone from the configuration now."""
    then = snap.get("apache")
    files = (((facts.get("inventory") or {}).get("apache")) or {}).get("files") or {}
    if not isinstance(then, dict) or not files:
        return None
    added = [p for p in files if p not in then and not p.endswith("/envvars")]
    changed = [p for p, i in files.items() if p in then and i.get("sha256") and
               (then[p] or {}).get("sha256") not in (None, i["sha256"])]
    enabled = ("-enabled/",)
    gone = [p for p, e in then.items() if any(x in p for x in enabled) and "link" in (e or {}) and p not in files
            and p.endswith((".conf", ".load"))]
    if not (added or changed or gone):
        return None
    parts = [f"{what}: {_names(x)}" for what, x in (("in force, not there at the deploy", added),
                                                   ("changed", changed), ("no longer in force", gone)) if x]
    return "Apache config: " + "; ".join(parts)


def groups(snap: dict, facts) -> str | None:
    then, users = snap.get("groups") or {}, facts.get("users") or {}
    out = []
    for role in ("app", "deploy"):
        now = (users.get(role) or {}).get("groups")
        if role in then and now is not None and sorted(now) != sorted(then[role]):
            more, less = sorted(set(now) - set(then[role])), sorted(set(then[role]) - set(now))
            out.append(f"the {role} user " + ", ".join(([f"joined {more}"] if more else []) +
                                                       ([f"left {less}"] if less else [])))
    return "grants: " + "; ".join(out) if out else None


def root_files(facts, since: float) -> str | None:
    """Root's files the deploy login cannot read (sudoers, crontabs, passwd/group), dated by their mtime."""
    stamps = ((facts.get("inventory") or {}).get("mtimes")) or {}
    changed = sorted((t, p) for p, t in stamps.items() if t > since + 1)
    if not changed:
        return None
    return "root's files changed after the deploy (mtime): " + ", ".join(f"{p} {_when(t)[11:]}"
                                                                         for t, p in changed[:5]) + \
        (f" (+{len(changed) - 5} more)" if len(changed) > 5 else "")


def keys(facts, since: float) -> str | None:
    """The key files of root and of every login that may become root (``sockets.root_capable``: a sudoers rule, a
    root-reaching group) changed after the deploy, dated by their mtime (the collectors' ``lstat``): a key added
    to one of them is a new way in as root, which no rule can tell from an admin's own; a human can."""
    from .collect_login import HOME_FILES, key_files
    from .sockets import root_capable

    snap = getattr(facts, "raw", None)
    if snap is None or not getattr(snap, "files", None):
        return None
    names, paths = [f for f in HOME_FILES if "authorized_keys" in f], set()
    for uid in set(root_capable(facts, snap)) | {0}:
        name = snap.users.name(uid)
        home = ((snap.users.facts(name) or {}).get("home") or "/").rstrip("/") or "/"
        paths |= {f"{home}/{n}" for n in names if home != "/"} | set(
            key_files({"files": snap.files, "dirs": snap.dirs}, name, uid, home))  # (AuthorizedKeysFile's)
    changed = sorted((st[4], p) for p in paths for st in [snap.st(p)] if st and len(st) > 4 and st[4] > since + 1)
    return "keys of logins that may become root changed after the deploy (mtime): " + ", ".join(
        f"{p} {_when(t)[11:]}" for t, p in changed[:5]) + (f" (+{len(changed) - 5} more)" if len(changed) > 5
                                                           else "") if changed else None


def loaded(facts) -> str | None:
    """What the daemons load changed after the oldest of them started, dated by its ctime (the tree reader's
    ``loaded``): its bytes and mtime may be back as they were, what the daemons run may not be."""
    found, daemons = facts.get("loaded") or {}, facts.get("daemons") or []
    if not found.get("path") or not daemons:
        return None
    start = min(d["started"] for d in daemons)
    if found["ctime"] <= start + START_SLACK:
        return None
    return f"what the daemons load: {found['path']} changed {_when(found['ctime'])[11:]}, after they started " \
           f"{_when(start)[11:]} (ctime: its bytes and mtime may be back as they were)"


def deployed(live_id: str, meta: dict) -> tuple[float | None, str]:
    """When the live release was deployed, and what to say of it: the earlier of its two records of that instant,
    ``RELEASE.json``'s ``created_at`` and its id's stamp (``20261205T062812Z-...``: the deploy takes both from one
    clock reading, so they agree to the second). Both are the deploy login's (the file its content, the id its
    directory's name): one forged later than the other (an edited ``created_at``, to hide what changed before
    it) moves nothing, since the earlier is taken and the disagreement is said; a ``created_at`` that does not
    parse leaves the id's. ``(None, why)`` when neither parses."""
    dates = {}
    try:
        dates["created_at"] = _dt.datetime.fromisoformat(str(meta.get("created_at"))).timestamp()
    except ValueError:
        pass
    try:
        dates["its id"] = _dt.datetime.strptime(live_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.UTC).timestamp()
    except ValueError:
        pass
    if not dates:
        return None, f"neither RELEASE.json's created_at ({meta.get('created_at')!r}) nor its id is a time"
    since = min(dates.values())
    if len(dates) == 2 and abs(dates["created_at"] - dates["its id"]) < 1:
        return since, ""
    named = "; ".join(f"{k} {_when(v)}" for k, v in sorted(dates.items()))
    return since, (f"by {min(dates, key=dates.__getitem__)}: its records of the deploy disagree ({named}; "
                   f"created_at {meta.get('created_at')!r}), the earlier is taken" if len(dates) == 2 else
                   f"by {named}: RELEASE.json's created_at {meta.get('created_at')!r} is not a time")


def report(facts) -> list[str]:
    """The drift section of one host: a head line, then one indented line per kind of change."""
    if facts.error or not facts.tree.get("current"):
        return []
    live_id = facts.tree["current"].rstrip("/").rsplit("/", 1)[-1]
    meta = facts.tree.get("releases", {}).get(live_id) or {}
    since, said = deployed(live_id, meta)
    head = f"live release {live_id} " + (f"deployed {_when(since)} UTC" if since is not None else "(no deploy time)")
    head += f" ({said})" if said else ""
    live = facts.live or {}
    snap = live.get("snapshot")
    lines = [config(meta, facts), loaded(facts)]
    missing = ""
    if isinstance(snap, dict) and "unreadable" not in snap:
        lines += [release_files(snap, live), apache(snap, facts), groups(snap, facts)]
    else:
        why = (snap or {}).get("unreadable") if isinstance(snap, dict) else "missing (an older deploytests deployed it)"
        missing = f" (releases/{live_id}/SNAPSHOT.json is {why}: only the config and root's files compared)"
    if facts.get("inventory") and since is not None:
        lines += [root_files(facts, since), keys(facts, since)]
    else:
        missing += " (root's files not dated: " + ("no sudo)" if since is not None else "no deploy time)")
    lines = [ln for ln in lines if ln]
    notes = [f"  not checked: {n}" for n in dict.fromkeys(facts.notes)]  # (what a check could not compare)
    if not lines:
        return [f"{head}: nothing changed since{missing}"] + notes
    return [f"{head}: changed since{missing}:"] + [f"  {ln}" for ln in lines] + notes


NOTE = ("compared with each live release's SNAPSHOT.json, written by the deploy login at deploy time (only as "
        "trustworthy as that login: the rollback check compares kept releases with it and with the artifacts the "
        "runner packed); root's files dated by their mtime")
