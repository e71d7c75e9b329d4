"""The project's own deploy tests, read-only, on the hosts a rollout's phase just deployed.

After the built-in gate (:mod:`deploytests.verify.gate`) passed on a phase's hosts, :meth:`ProjectTests.run`
starts **one child pytest for the phase** on exactly those hosts:

- a runner-written inventory (``targets.toml`` in a private temporary directory) with one read-only target
  (``deploy = false``) whose hosts are the phase's, with the addresses, login, identity file, known_hosts and
  base URL the rollout uses (the keys it already pinned: no new container, no new key), the app's config file and
  the target's ``env``;
- ``python -m pytest <tests> --deploytests-no-deploy`` against it, from the project's directory, with the
  runner's interpreter; ``-p deploytests.plugin.between`` keeps the project's read-only deploy tests only and
  writes what happens as JSON lines (data: never the child's terminal output, which is only shown when the child
  could not run at all);
- its environment is the runner's without ``DEPLOYTESTS_*``, ``PYTEST_ADDOPTS``, pytest-xdist's variables
  (every deploytests setting of the child is on its command line) and ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` (the
  child loads deploytests from its entry point), stdin from ``/dev/null``, in a session of its
  own: past ``timeout`` seconds its whole process group is killed.

Before any host is touched, :meth:`ProjectTests.check` runs the same child with ``--collect-only`` on the
rollout's hosts: a test file that cannot be imported or collected (or a child that cannot start: a bad option, a
broken ``conftest.py``) stops the rollout there, in one line naming the file and the error, instead of failing
the canary after it went live.

Its verdict, per host: a line per failed test, ``tests/deploy/test_x.py::test_y[docker://web-1]: <first line>``
(the test ids name the rollout's own labels), a test still running when the child was killed (``... did not
finish within 300 s (killed)``), the hosts whose planned tests did not all finish then (not verified: failed),
or, when the child could not run its tests at all (a collection error, a stop), every host with that line.
Lines are redacted (the app config's values) and bounded.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import words

TARGET = "gate"  # the child's target in the runner-written inventory
LINE = 300  # characters of a problem line
SHOWN = 3  # problems named per host in its one line
TAIL = 40  # lines of the child's output kept when it could not run its tests
DROPPED_ENV = ("DEPLOYTESTS_", "PYTEST_ADDOPTS", "PYTEST_XDIST_", "PYTEST_CURRENT_TEST",
               "PYTEST_DISABLE_PLUGIN_AUTOLOAD")  # the child loads the plugin from its entry point


@dataclass(frozen=True)
class ProjectTests:
    """The project's deploy tests to run between phases. ``tests``: node ids or paths for the child (relative to
    ``cwd``, or absolute); ``app``: the project; ``config_file`` and ``env``: the app config and the target's env
    the rollout deploys with; ``pytest_args``: where the child finds the project's ini (``--rootdir``, ``-c``);
    ``redact``: the app config's values out of every line."""

    tests: tuple[str, ...]
    app: Path
    cwd: Path
    timeout: float = 300.0
    host_timeout: float = 30.0
    config_file: Path | None = None
    env: tuple[tuple[str, str], ...] = ()
    pytest_args: tuple[str, ...] = ()
    redact: object = None
    say: object = None  # a line per child run: how many tests, on how many hosts, how many failed
    logged: object = None  # server -> the exception the app logged behind a 5xx (diagnostics.app_logged) or None

    def run(self, servers) -> dict[str, list[str]]:
        """Run the tests on ``servers`` (one child per identity/known_hosts pair: normally one); the problems of
        each host that failed, by label (a host that passed is absent)."""
        groups: dict[tuple, list] = {}
        for server in servers:
            groups.setdefault((str(server.key_filename), str(server.known_hosts)), []).append(server)
        problems: dict[str, list[str]] = {}
        for group in groups.values():
            problems.update(self._run(group))
        by = {server.label: server for server in servers}
        for label, lines in problems.items():  # a 5xx a test met: the app's exception, as the built-in gate says it
            if callable(self.logged) and label in by and any(words.ANSWERED_5XX.search(line) for line in lines) \
                    and (why := self.logged(by[label])):
                problems[label] = [f"{line}: the app logged {why}" if words.ANSWERED_5XX.search(line) else line
                                   for line in lines]
        clean = self.redact if callable(self.redact) else (lambda text: text)
        return {label: [_bounded(clean(line)) for line in lines] for label, lines in problems.items() if lines}

    def check(self, servers) -> None:
        """Collect the tests as the rollout's children will (``--collect-only``: no test runs, no host is reached)
        and raise :class:`~deploytests.errors.DeployTestsError` in one line when a file cannot be collected or
        the child cannot start. Called before anything is deployed."""
        from ..errors import DeployTestsError

        events, killed, text = self._child_run(servers, collect_only=True)
        problem = unrunnable(events, killed=killed, timeout=self.timeout, output=text)
        if problem is None:
            return
        where, what = problem
        clean = self.redact if callable(self.redact) else (lambda line: line)
        show = f"`pytest --collect-only {where}` shows the whole error" if where else \
            f"`pytest --collect-only {' '.join(self.tests[:3])}` in {self.cwd} shows it"
        raise DeployTestsError(_bounded(clean(f"the project's deploy tests cannot be collected, nothing was "
                                              f"deployed: {what}")), where=where,
                               hint=f"fix it ({show}), or choose the tests with --gate-tests (none: only the "
                                    "built-in promises)")

    # -- one child ---------------------------------------------------------------------------------------
    def _child_run(self, servers, *, collect_only: bool = False) -> tuple[list[dict], bool, str]:
        """One child on ``servers``: its records, whether it was killed, its output."""
        with tempfile.TemporaryDirectory(prefix="deploytests-gate-") as tmp:
            names = child_names(servers)
            inventory, report, output = Path(tmp) / "targets.toml", Path(tmp) / "report.jsonl", Path(tmp) / "out"
            inventory.write_text(self.inventory(servers, names))
            argv = self.command(inventory, report) + (["--collect-only"] if collect_only else [])
            with output.open("wb") as out:
                killed = self._child(argv, out)
            events = [json.loads(line) for line in report.read_text().splitlines() if line.strip()] \
                if report.exists() else []
            return events, killed, output.read_text(errors="replace")

    def _run(self, servers) -> dict[str, list[str]]:
        events, killed, text = self._child_run(servers)
        names = child_names(servers)
        labels = {f"ssh://{s.user}@{names[s.label]}": s.label for s in servers}
        if callable(self.say):
            self.say(f"[gate] {count(events, killed, self.timeout)} on {words.count(len(servers), 'host')}")
        return verdict(events, labels, killed=killed, timeout=self.timeout, output=text)

    def inventory(self, servers, names: dict[str, str]) -> str:
        """The child's ``targets.toml``: one read-only target of exactly ``servers``."""
        first = servers[0]
        hosts = ", ".join(f"{{ name = {_s(names[s.label])}, address = {_s(address(s))}, base_url = {_s(s.base_url)} }}"
                          for s in servers)
        lines = [f"[targets.{TARGET}]", f"hosts = [{hosts}]", f"identity_file = {_s(str(first.key_filename))}",
                 f"known_hosts = {_s(str(first.known_hosts))}", "deploy = false", "destructive = false"]
        if self.config_file is not None:
            lines.append(f"config_file = {_s(str(self.config_file))}")
        if self.env:
            lines.append("env = { " + ", ".join(f"{_s(k)} = {_s(v)}" for k, v in self.env) + " }")
        return "\n".join(lines) + "\n"

    def command(self, inventory: Path, report: Path) -> list[str]:
        # ``--opt=value``: pytest finds the rootdir and ini from the arguments before plugins add their options,
        # so the value of a separate ``--opt value`` would count as a test path there
        return [sys.executable, "-m", "pytest", *self.tests, "--deploytests-no-deploy",
                f"--deploytests-targets-file={inventory}", f"--deploytests-target={TARGET}",
                f"--deploytests-app={self.app}", f"--deploytests-host-timeout={self.host_timeout:g}",
                "-p", "deploytests.plugin.between", f"--deploytests-between-report={report}",
                "-p", "no:cacheprovider", "-q", "--tb=short", "--color=no", *self.pytest_args]

    def _child(self, argv: list[str], out) -> bool:
        """Run the child, at most ``timeout`` seconds (True: it was killed then). Any exception here (Ctrl-C)
        kills it too: it never outlives the rollout."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_ENV)}
        proc = subprocess.Popen(argv, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=self.timeout)
            return False
        except subprocess.TimeoutExpired:
            return True
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def address(server) -> str:
    host = f"[{server.host}]" if ":" in str(server.host) else server.host
    return f"{server.user}@{host}:{server.port}"


def child_names(servers) -> dict[str, str]:
    """A short name per server for the child's inventory (from its own name), unique."""
    names: dict[str, str] = {}
    for i, s in enumerate(servers, 1):
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", str(s.name or s.host)).lstrip("._-") or f"host{i}"
        names[s.label] = name if name not in names.values() else f"{name}-{i}"
    return names


def verdict(events: list[dict], labels: dict[str, str], *, killed: bool, timeout: float,
            output: str) -> dict[str, list[str]]:
    """Each host's problems from the child's records (pure). ``labels``: child label -> the rollout's. A test
    planned for a host that did not end (the child was killed, stopped, or ``-x`` ended it) leaves that host not
    verified: it fails, named with why."""
    planned = next((e["planned"] for e in events if "planned" in e), None)
    everyone = list(labels.values())
    problems: dict[str, list[str]] = {label: [] for label in everyone}
    why = f"were killed after {timeout:g} s" if killed else f"stopped ({_last_words(output)})"
    cannot = unrunnable(events, killed=killed, timeout=timeout, output=output)
    if cannot is not None:  # it never got to run a test: a collection error, a stop (a host key, the config)
        where, what = cannot
        line = f"the project's deploy tests could not run: {f'{where}: ' if where else ''}{what}"
        return {label: [line] for label in everyone}
    assert planned is not None
    host = {nodeid: labels.get(child) for nodeid, child in planned}

    def named(nodeid: str) -> str:
        return relabel(nodeid, labels)

    def of(nodeid: str) -> list[str]:
        label = host.get(nodeid)
        return [label] if label else everyone  # a test on no one host judges them all

    started = {e["start"] for e in events if "start" in e}
    ended = {e["end"] for e in events if "end" in e}
    seen: set[str] = set()
    for e in events:
        if "failed" in e and e["failed"] not in seen:
            seen.add(e["failed"])
            where = "" if e.get("when") == "call" else f" (in {e.get('when')})"
            for label in of(e["failed"]):
                problems[label].append(f"{named(e['failed'])}: {e.get('message') or 'failed'}{where}")
    for nodeid, _child in planned:
        if nodeid in ended:
            continue
        for label in of(nodeid):
            if nodeid in started:  # the test it was in
                problems[label].append(f"{named(nodeid)}: " + (f"did not finish within {timeout:g} s (killed)"
                                                                if killed else f"the run stopped in it: {why}"))
            elif not problems[label]:  # one line is enough to fail it
                problems[label].append(f"not verified: the project's deploy tests {why} before {named(nodeid)} ran")
    return problems


def unrunnable(events: list[dict], *, killed: bool, timeout: float, output: str) -> tuple[str, str] | None:
    """Why the child could not run the tests at all, as (the file, what), or None (pure): a file or directory
    that could not be collected (pytest then runs nothing), or no plan at all (the child stopped before: a bad
    option, a broken ``conftest.py``, a setting refused; or it was killed while collecting)."""
    bad = [e for e in events if "uncollectable" in e]
    if bad:
        more = f" (and {words.count(len(bad) - 1, 'more file')})" if len(bad) > 1 else ""
        return bad[0]["uncollectable"], f"{bad[0].get('message') or 'could not be collected'}{more}"
    if not any("planned" in e for e in events):
        return "", (f"killed after {timeout:g} s while collecting" if killed else _last_words(output))
    return None


def count(events: list[dict], killed: bool, timeout: float) -> str:
    """What the child did, in a few words (pure)."""
    planned = next((e["planned"] for e in events if "planned" in e), None)
    if planned is None or any("uncollectable" in e for e in events):
        return "the project's deploy tests could not run"
    failed = len({e["failed"] for e in events if "failed" in e})
    ended = len({e["end"] for e in events if "end" in e})
    left = len(planned) - ended
    end = f", killed after {timeout:g} s with {left} not finished" if killed else \
        (f", stopped with {left} not run" if left else "")
    return f"project deploy tests: {len(planned)} run, {ended - failed} passed, {failed} failed{end}"


def relabel(nodeid: str, labels: dict[str, str]) -> str:
    """The child's test id with the rollout's host label in its parameters (``[ssh://appuser@web-1]`` ->
    ``[docker://web-1]``)."""
    base, bracket, params = nodeid.partition("[")
    for child, parent in labels.items():
        params = params.replace(child, parent)
    return base + bracket + params


def one_line(problems: list[str]) -> str:
    """A host's problems as its one line: the first ones and how many more."""
    more = len(problems) - SHOWN
    return "; ".join(problems[:SHOWN]) + (f" (and {more} more)" if more > 0 else "")


def _last_words(output: str) -> str:
    """The line that says why the child stopped: a session stop (``Exit: deploytests: ...``), else an error
    (``ERROR: file not found: ...``, argparse's ``error: ...``, a traceback's ``E`` line), else its last line."""
    lines = [ln.strip(" !=") for ln in output.splitlines() if ln.strip(" !=")][-TAIL:]
    raised = [ln[1:].strip() for ln in lines if ln.startswith("E ")]
    for wanted in (lambda ln: "Exit: deploytests: " in ln,
                   lambda ln: ("error" in ln.lower() and not ln.startswith("ERROR: usage:")) or ln.startswith("E ")):
        said = [ln for ln in lines if wanted(ln)]
        if said:  # with the exception's own line when pytest printed it apart (a conftest that fails to import)
            why = raised[-1] if raised and not said[0].startswith("E ") else ""
            return f"{said[0].rstrip('.')}: {why}" if why and why not in said[0] else said[0]
    return lines[-1] if lines else "no output"


def _bounded(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= LINE else line[:LINE - 3] + "..."


def _s(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, without ASCII escaping)."""
    return json.dumps(str(text), ensure_ascii=False)
