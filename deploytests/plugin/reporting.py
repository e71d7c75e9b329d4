"""What the plugin adds to pytest's output: the header after collection, the server's diagnostics on a failed
check (with ``-v``; always in ``--junitxml``), a repeated fixture failure said once, the interrupted hosts, the
summary with timings and the failures' root causes, one line each — and the one place where reports are redacted
(:meth:`Reporting.pytest_runtest_makereport`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ..config import DeployConfig
from ..servers import Server
from ..settings import Settings
from ..words import ANSWERED_5XX, count
from .state import ERROR, PROVIDER, RUN, SECRETS, SETTINGS, USED, option, say, write


class Reporting:
    """Registered for the run by ``hooks.pytest_configure`` (it holds the config: pytest_keyboard_interrupt
    gets none)."""

    def __init__(self, config) -> None:
        self.config = config
        self.said: set[str] = set()  # failures a session fixture repeats, already reported in full
        self.causes: dict[str, dict[str, list[str]]] = {}  # root cause -> {host label: [test names]}

    def pytest_report_collectionfinish(self, config, items):
        """The header, after collection: only in runs that use deploytests (see ``state.uses_deploytests``)."""
        if not config.stash[USED] or ERROR in config.stash:
            return []
        config.stash[RUN]["header_shown"] = True
        return header_lines(config.stash[SETTINGS], config.stash[PROVIDER], option(config, "app"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        """Every report: a repeated fixture failure said once, the server's diagnostics added to a failed check,
        then the config's values redacted from all of it (the output boundary, :meth:`redact`)."""
        __tracebackhide__ = True  # a guest: never a frame of the project's own errors
        rep = yield
        try:
            if not self.said_once(item, call, rep):  # said in full before, diagnostics included
                self.add_diagnostics(item, rep)
            errors = getattr(getattr(item, "funcargs", {}).get("deploy_http"), "errors", None)
            if rep.when == "setup" and isinstance(errors, list):  # the 5xx answers before this test's call
                item.stash[ERRORS_BEFORE] = len(errors)
            if rep.failed and call.excinfo is not None and self.config.stash.get(USED, False):
                label = getattr(item, "callspec", None) and item.callspec.params.get("deploy_server")
                per = getattr(call.excinfo.value, "deploytests_causes", None)  # a fixture's, one per host
                text = _text_of(call.excinfo)
                got = errors[item.stash.get(ERRORS_BEFORE, len(errors)):] if isinstance(errors, list) else []
                if got and not per and not ANSWERED_5XX.search(text):  # the check's own message says less
                    text = got[-1]
                found = ([per[label]] if label in per else [per[""]] if "" in per else list(per.values())) \
                    if per else causes_of(text)
                if (why := self.app_error(item, text)) is not None:  # a 5xx: the app's own error, in the line
                    found = [f"{c}: the app logged {why}" if ANSWERED_5XX.search(c) else c for c in found]
                rep.user_properties += [(f"{CAUSE} {label or ''}".rstrip(), c) for c in found]
        finally:
            self.redact(rep, item)
        return rep

    def pytest_runtest_logreport(self, report):
        """The root causes a failed report carries (made by this process or, under xdist, by a worker)."""
        name = report.nodeid.split("::")[-1].split("[")[0]
        for key, cause in report.user_properties:
            if isinstance(key, str) and key.startswith(CAUSE):
                label = key[len(CAUSE):].strip()
                tests = self.causes.setdefault(cause.replace(label, "{host}") if label else cause, {})
                tests.setdefault(label, []).append(name)

    def app_error(self, item, text: str) -> str | None:
        """The app's exception behind a check's 5xx answer (the built-in suite's or the project's own deploy test
        through ``deploy_http``), one line from the Apache error log since the host's verification began: the
        app wrote it there, not into the answer (Bottle's, Flask's and Django's 500 pages say nothing). Read
        with the host's diagnostics, whatever the verbosity; None for any other failure."""
        srv, cfg = getattr(item, "funcargs", {}).get("deploy_server"), getattr(item, "funcargs", {}).get(
            "deploy_config")
        if not (isinstance(srv, Server) and isinstance(cfg, DeployConfig)
                and ANSWERED_5XX.search(text)):
            return None
        from ..verify.diagnostics import app_logged

        return app_logged(srv, cfg)

    def said_once(self, item, call, rep) -> bool:
        """pytest repeats a failed session fixture's error in every test that needs it (80 tests: 80 copies of
        one remote traceback). The first report keeps the detail; later ones get the one line, for this test's
        host when known. True when ``rep`` was cut so."""
        once = getattr(call.excinfo.value, "deploytests_once", None) if call.excinfo is not None else None
        if once is None or rep.when != "setup":
            return False
        text = str(call.excinfo.value)
        if text not in self.said:
            self.said.add(text)
            return False
        lines, line = once
        label = getattr(item, "callspec", None) and item.callspec.params.get("deploy_server")
        try:
            pytest.fail(f"{lines.get(label, line).rstrip('.')} (details in the first error above)", pytrace=False)
        except pytest.fail.Exception:
            rep.longrepr = item.repr_failure(pytest.ExceptionInfo.from_current())
        return True

    def add_diagnostics(self, item, rep) -> None:
        """A test of a server: its time, and on failure the server's diagnostics as report sections (and user
        properties: junitxml keeps them)."""
        srv = getattr(item, "funcargs", {}).get("deploy_server")
        if not isinstance(srv, Server):  # not a test of a server (or its setup failed before it was known)
            return
        if rep.when == "call":
            self.config.stash[RUN]["verify"][srv.label] += rep.duration
        cfg = item.funcargs.get("deploy_config")
        shown = self.config.get_verbosity() >= 1  # the terminal's; junitxml keeps them as properties anyway
        if not shown and not getattr(self.config.option, "xmlpath", None):
            return
        if rep.failed and rep.when in ("setup", "call") and isinstance(cfg, DeployConfig):
            from ..verify.diagnostics import collect

            found = collect(srv, cfg.app, cfg.root, deploy_user=cfg.deploy_user or srv.user)
            held = getattr(item.funcargs.get("deploy_http"), "held_back", None)
            if held:  # the site set them Secure; over http:// the session (as a browser) never sent them back
                found["cookies not sent back"] = (
                    f"the site set {', '.join(held)} with Secure over {srv.base_url}: a client sends such a cookie "
                    "over https only, so the requests after it went without it (Django's CSRF_COOKIE_SECURE, "
                    "SESSION_COOKIE_SECURE: a form POST then gets 403 CSRF). Turn them off in the config of a target "
                    "served over http (targets.toml: [targets.docker] config_file), or give the target an https "
                    "base_url")
            for title, text in found.items():
                if shown:
                    rep.sections.append((f"deploytests {srv.label}: {title}", text))
                item.user_properties.append((f"deploytests {srv.label}: {title}", text))

    def redact(self, rep, item) -> None:
        """Every report of a run that loaded the app's config (passed, failed or skipped; setup, call,
        teardown): its failure text, captured output and logs, and the test's user properties, with the config
        file's values redacted in all their forms (a check's assertion may quote a command's output, e.g. the
        config itself; a fixture's failure an app's traceback). The terminal, ``-r`` summaries and the junit
        xml all read the report, so they all get the redacted text: this is the output boundary. The failure
        text is replaced only when it held a secret (it then loses pytest's colouring, not its content)."""
        secrets = self.config.stash.get(SECRETS, None)
        if secrets is None or not secrets.values:
            return
        if isinstance(rep.longrepr, tuple):  # a skip: (path, line, reason)
            rep.longrepr = (*rep.longrepr[:2], secrets.redact(str(rep.longrepr[2])))
        elif rep.longrepr is not None:
            text = rep.longreprtext
            clean = secrets.redact(text)
            if clean != text:
                rep.longrepr = clean
        rep.sections = [(title, secrets.redact(body)) for title, body in rep.sections]
        for props in (item.user_properties, rep.user_properties):
            props[:] = [(name, secrets.redact(v) if isinstance(v, str) else v) for name, v in props]

    def pytest_keyboard_interrupt(self, excinfo):
        """Ctrl-C or SIGTERM during a deploy: after the hosts' running steps ended, one line per host."""
        from ..pipeline.hosts import Interrupted

        if isinstance(excinfo.value, Interrupted):
            for line in excinfo.value.lines:
                say(self.config, line)

    def cause_lines(self) -> list[str]:
        """The failures' root causes, one line each: what, where and what to do (the failure's own first line,
        or each item of a closed-world list), with the hosts and tests that failed on it; the full text of each
        failure is above, and the servers' diagnostics with ``-v``."""
        if not self.causes:
            return []
        more = "" if self.config.get_verbosity() >= 1 else \
            " and, with -v, each failed host's diagnostics (Apache error log, vhost, releases, installed packages)"
        lines = [f"{count(len(self.causes), 'root cause')} of the failures (each failure's full text is above{more}):"]
        for cause, hosts in self.causes.items():
            names = list(dict.fromkeys(n for tests in hosts.values() for n in tests))
            tests = ", ".join(names[:2]) + (f" and {count(len(names) - 2, 'more test')}" if len(names) > 2 else "")
            labels = ", ".join(h for h in hosts if h)
            text = cause.replace("{host}", labels) if "{host}" in cause or not labels else f"{labels}: {cause}"
            lines.append(f"- {text} [{tests}]")
        return lines

    def pytest_terminal_summary(self, terminalreporter, config):
        if not (config.stash[USED] or config.stash[RUN].get("workers")):
            return
        if PROVIDER not in config.stash:  # an xdist controller whose workers used deploytests resolves now
            from .hooks import resolved

            if not resolved(config):
                return
        provider, run = config.stash[PROVIDER], config.stash[RUN]
        data = timings(provider, run)
        lines = run.get("rollout", []) + summary_lines(data) + provider.keep_lines() + self.cause_lines()
        for worker, sent in sorted(run.get("workers", {}).items()):  # under xdist each worker has its own fleet
            lines += [f"[{worker}] {line}" for line in summary_lines(sent["timings"]) + sent["keep"]]
        if run.get("workers") and not run.get("header_shown"):  # an xdist controller collects nothing itself
            lines = header_lines(config.stash[SETTINGS], provider, option(config, "app")) + lines
        if lines:
            terminalreporter.write_sep("-", "deploytests summary")
            for line in lines:
                write(config, line)
        out = os.environ.get("DEPLOYTESTS_TIMINGS_JSON")
        if out and data:
            Path(out).write_text(json.dumps(data, indent=1))


ERRORS_BEFORE = pytest.StashKey[int]()  # how many 5xx answers the session's deploy_http had as a test began
CAUSE = "deploytests root cause"  # the user property naming a failed report's root cause (xdist carries it)


def _text_of(excinfo) -> str:
    """A failure's message: the assertion's message without pytest's ``assert ...`` explanation after it."""
    if isinstance(excinfo.value, AssertionError):
        return str(excinfo.value).split("\nassert ", 1)[0]
    if isinstance(excinfo.value, pytest.fail.Exception):
        return str(excinfo.value)
    return f"{type(excinfo.value).__name__}: {excinfo.value}"


def causes_of(text: str) -> list[str]:
    """The root causes a failure's text names: each ``- `` item of a closed-world failure (one thing each, where
    it is, and what to write to accept it), else its first line. A check says one root cause per line."""
    lines = text.strip().splitlines()
    items = [ln.lstrip()[2:] for ln in lines[1:] if ln.lstrip().startswith("- ")]  # pytest indents them
    return items or lines[:1] or ["failed with no message (its traceback is above)"]


def header_lines(settings: Settings, provider, app_option: str = "--app") -> list[str]:
    from ..init import gate_warnings  # only in runs that use deploytests

    app = f"{settings.app} ({settings.source_of('app')})" if settings.app else f"(none: set {app_option})"
    deploying = provider.rights.deploy and not settings.no_deploy
    return [
        f"deploytests: target {provider.name!r}: {provider.describe()}",
        f"deploytests: hosts: {', '.join(provider.labels())}",
        f"deploytests: app: {app}",
        f"deploytests: rights: {provider.rights.describe()}; "
        f"{'deploying before verifying' if deploying else 'verifying what is live'}"
        f"{' (--no-deploy)' if settings.no_deploy else ''}",
    ] + ([f"deploytests: rollout: {rollout_text(settings, provider.labels())}"] if deploying and any(
        settings.source_of(n) != "default" for n in ("canary", "batch", "max_failed", "rolling")) else []) + [
        f"deploytests: note: {note}" for note in provider.notes()] + [
        f"deploytests: {line}" for line in (gate_warnings(settings.app) if settings.app else [])]


def rollout_text(settings: Settings, labels: list[str]) -> str:
    """The rollout policy in words, for the header: what this run's hosts go through (its phases, and the gate of
    a rollout of several phases or of one)."""
    from ..session import policy_of

    phases = policy_of(settings).phases(list(labels))
    if settings.rolling:
        policy = "one host at a time, stopping at the first failure (--rolling)"
    else:
        canary = f"canary {settings.canary}, then " if settings.canary.number else ""
        batch = f"batches of {settings.batch}" if settings.batch else "all at once"
        hosts = "host" if str(settings.max_failed) == "1" else "hosts"
        policy = f"{canary}{batch}; up to {settings.max_failed} failed {hosts} tolerated"
    tests = "none" if settings.gate_tests == () else "the project's tests this run collected" \
        if settings.gate_tests is None else ", ".join(str(p) for p in settings.gate_tests)
    if len(phases) < 2:
        gate = "gate: the release live per its agent + its health URL; the suite follows"
    else:
        gate = "gate between phases: every built-in promise on the hosts just deployed, then your deploy tests " \
               f"({tests}; at most {settings.gate_timeout:g} s)"
    return f"{policy}; {count(len(phases), 'phase')} over {count(len(labels), 'host')}, " \
           f"at most {settings.parallel} at once; {gate}"


def timings(provider, run: dict) -> dict:
    """Seconds per step: ``{"run": {step: s}, "hosts": {label: {step: s}}, "releases": {label: id}}``.

    Written as JSON to ``$DEPLOYTESTS_TIMINGS_JSON`` when set (the bench reads it)."""
    deployment, verify = run.get("deployment"), run.get("verify", {})
    if deployment is None and not verify:
        return {}
    overall = dict(provider.times)
    if deployment is not None:
        overall.update(deployment.times)
    hosts, releases, errors = {}, {}, {}
    for label in provider.labels():
        host = deployment.hosts.get(label) if deployment else None
        hosts[label] = {**(host.times if host else {}), "verify": verify.get(label, 0.0)}
        releases[label] = host.release_id if host else None
        if host is not None and host.error:
            errors[label] = host.error
    return {"run": overall, "hosts": hosts, "releases": releases, "errors": errors}


def summary_lines(data: dict) -> list[str]:
    """Per host: bootstrap, deploy and verify seconds; per run: pack and the target's own steps."""
    if not data:
        return []
    lines = []
    if data["run"]:
        lines.append("run: " + ", ".join(f"{k} {v:.2f}s" for k, v in data["run"].items()))
    for label, steps in data["hosts"].items():
        release = f" release {data['releases'][label]}" if data["releases"][label] else ""
        error = data.get("errors", {}).get(label)
        if error:  # the host serves nothing this run verified: say why, once, in the summary
            error = error.rstrip(".")
            release = " NOT VERIFIED (" + (error[len(label) + 2:] if error.startswith(f"{label}: ") else error) + ");"
        lines.append(f"{label}:{release} " + ", ".join(f"{k} {v:.2f}s" for k, v in steps.items()))
    return lines
