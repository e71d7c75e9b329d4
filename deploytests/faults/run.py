"""Measure a gate's sensitivity: deploy the app to throwaway containers, inject each fault, run the gate.

:class:`Campaign` does, with nothing but the local Docker engine (ports on 127.0.0.1 only):

1. **base**: one container, bootstrapped; the app packed for its Python; a variant of that artifact (same
   code, another manifest) deployed, then the artifact itself: the live release has a previous one, like a
   server in use. Apache's pid file is removed and the container is committed as a snapshot image.
2. **hosts**: per item one fresh container of the snapshot (starting one costs ~0.3 s; undoing a fault
   correctly would cost a check per fault and trust in the undo). Items: each fault of the catalogue
   (injected as root with ``docker exec``), clean hosts, and the legitimate states the pipeline itself
   produces (after a rollback, after a refused release, after an interrupted deploy the next one recovered).
3. **gate**: per batch of hosts, one ``pytest`` subprocess of the user's gate (the built-in suite and the paths
   they name) with a generated inventory: the batch's containers as one real target, ``deploy = false`` (the
   gate runs read-only, as on production). The junit XML says which test failed on which host.
4. **report**: fault -> the tests that caught it, or MISSED; sensitivity; false alarms on clean hosts and in
   legitimate states (any failed test there).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import pipeline
from ..containers import Fleet
from ..errors import DeployError
from ..pipeline.artifact import Artifact
from ..pipeline.releases import deploy_args
from ..pipeline.remote import call_agent
from ..stacks import DEFAULT, get
from ..words import count
from .catalogue import FAULTS, Fault, script, values_for

SUITE = Path(__file__).resolve().parents[1] / "suite"


@dataclass
class Item:
    """One host of the campaign: a fault, a clean host, or a legitimate state."""

    name: str
    kind: str  # "fault" | "clean" | "state"
    fault: Fault | None = None
    state: Callable | None = None
    failed: list[str] = field(default_factory=list)
    skipped: int = 0
    passed: int = 0
    problem: str = ""  # the injection or the state could not be made; the gate's run stopped

    @property
    def caught(self) -> bool:
        return bool(self.failed)


@dataclass
class Report:
    items: list[Item]
    seconds: float
    runs: int
    base: dict

    @property
    def faults(self) -> list[Item]:
        return [i for i in self.items if i.kind == "fault"]

    @property
    def controls(self) -> list[Item]:
        return [i for i in self.items if i.kind != "fault"]

    @property
    def sensitivity(self) -> float:
        """Caught faults / all faults of the run (a fault that could not be injected counts as missed)."""
        return sum(i.caught and not i.problem for i in self.faults) / len(self.faults) if self.faults else 0.0

    @property
    def false_alarms(self) -> list[Item]:
        return [i for i in self.controls if i.failed or i.problem]

    @property
    def ok(self) -> bool:
        return all(i.caught and not i.problem for i in self.faults) and not self.false_alarms

    def lines(self) -> list[str]:
        width = max(len(i.name) for i in self.items)
        out = [f"{'fault':<{width}}  {'breaks':<13} caught by"]
        for i in self.faults:
            if i.problem:
                verdict = f"NOT RUN: {i.problem}"
            elif i.caught:
                verdict = ", ".join(_short(t) for t in i.failed[:4]) + (f" (+{len(i.failed) - 4})"
                                                                           if len(i.failed) > 4 else "")
            else:
                verdict = f"MISSED ({i.passed} passed, {i.skipped} skipped)"
            out.append(f"{i.name:<{width}}  {i.fault.promise if i.fault else '':<13} {verdict}")
        out.append("")
        out.append(f"{'control':<{width}}  {'kind':<13} result")
        for i in self.controls:
            verdict = (f"FALSE ALARM: {', '.join(_short(t) for t in i.failed)}" if i.failed else
                       f"NOT RUN: {i.problem}" if i.problem else f"clean ({i.passed} passed, {i.skipped} skipped)")
            out.append(f"{i.name:<{width}}  {i.kind:<13} {verdict}")
        caught = sum(i.caught and not i.problem for i in self.faults)
        clean = [i for i in self.controls if i.kind == "clean"]
        states = [i for i in self.controls if i.kind == "state"]
        out.append("")
        unrun = sum(bool(i.problem) for i in self.items)
        out.append(f"sensitivity: {caught}/{count(len(self.faults), 'fault')} caught ({self.sensitivity:.0%}); "
                   + (f"not run: {unrun} of {len(self.items)} (no verdict); " if unrun else "") +
                   f"false alarms: {sum(bool(i.failed) for i in clean)} in {count(len(clean), 'clean run')}, "
                   f"{sum(bool(i.failed) for i in states)} in {count(len(states), 'legitimate state')}; "
                   f"{count(self.runs, 'gate run')}, {self.seconds:.1f}s")
        return out


def _short(test: str) -> str:
    return test.split("::")[-1].split("[")[0]


# ---------------------------------------------------------------- artifacts: a variant of the user's build

def variant(artifact, n: int, where: Path):
    """The artifact with ``"variant": n`` added to its manifest: the same code, another build (sha256), written to
    ``where`` named as pack names an artifact (``<app>-<version>-<sha8>.tar``): the runner keeps it as it keeps
    what it packs, so the gate compares a kept release of it with it (``artifact.packed``)."""

    buf = io.BytesIO()
    with tarfile.open(artifact.path) as src, tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as dst:
        for member in src.getmembers():
            f = src.extractfile(member) if member.isfile() else None
            data = f.read() if f is not None else None
            if member.name == "manifest.json" and data is not None:
                data = json.dumps(dict(json.loads(data), variant=n), indent=2, sort_keys=True).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    out = where / f"{artifact.app}-{artifact.version}-{hashlib.sha256(buf.getvalue()).hexdigest()[:8]}.tar"
    out.write_bytes(buf.getvalue())
    manifest = dict(artifact.manifest, variant=n)
    return Artifact(path=out, app=artifact.app, name=artifact.name, version=artifact.version,
                    sha256=hashlib.sha256(buf.getvalue()).hexdigest(), size=len(buf.getvalue()),
                    python_version=artifact.python_version, manifest=manifest)


# ---------------------------------------------------------------- legitimate states

def after_rollback(campaign, server, container):
    pipeline.rollback(server.connection(), campaign.cfg)


def after_refused_release(campaign, server, container):
    broken = dataclasses.replace(campaign.cfg, post_deploy=[*campaign.cfg.post_deploy, "exit 7"])
    try:
        pipeline.deploy(server.connection(), broken, campaign.variant(2))
    except DeployError:
        return
    raise RuntimeError("the release meant to be refused was deployed")


def after_interrupted_deploy(campaign, server, container):
    """A deploy killed (kill -9 of its agent) while installing, then the next deploy, which recovers."""

    art = campaign.variant(3)
    args = deploy_args(campaign.cfg, art, now=dt.datetime.now(dt.UTC), lock_timeout=10, gate_timeout=10)
    args = args.replace(pause_at="install", pause_seconds=20)
    paused: dict = {}
    event = threading.Event()

    def progress(host, step, seconds, message):
        if step == "paused:install":
            paused["pid"] = int(message.split("=", 1)[1])
            event.set()

    conn = server.new_connection()

    def deploy():
        try:
            call_agent(conn, "deploy", args, payload=art.path, step="deploy", progress=progress)
        except Exception:  # noqa: BLE001 - expected: its agent is killed
            pass
        event.set()

    thread = threading.Thread(target=deploy, daemon=True)
    thread.start()
    event.wait(30)
    if "pid" not in paused:
        raise RuntimeError("the deploy to interrupt never paused at install")
    container.exec_run(["kill", "-9", str(paused["pid"])], user="root")
    thread.join(30)
    conn.close()
    result = pipeline.deploy(server.connection(), campaign.cfg, campaign.variant(4))
    if not result.recovered:
        raise RuntimeError(f"the next deploy recovered nothing: {result}")


def after_config_change(campaign, server, container):
    """Two config-only deploys (the same artifact): another config, then the target's again. The live release
    is then a config-only change of the one before it, with the config the gate compares with. The other config
    is the same with one more newline: other bytes, the same settings in every format (JSON has no comments)."""
    other = campaign.workdir / f"changed-{server.label.rsplit('/', 1)[-1]}{Path(campaign.cfg.config_file).suffix}"
    other.write_bytes(Path(campaign.cfg.config_file).read_bytes() + b"\n")
    for cfg in (dataclasses.replace(campaign.cfg, config_file=other), campaign.cfg):
        result = pipeline.deploy(server.connection(), cfg, campaign.artifact)
        if not result.changed:
            raise RuntimeError(f"a config-only deploy changed nothing: {result}")


STATES = {"after-rollback": after_rollback, "after-refused-release": after_refused_release,
          "after-interrupted-deploy": after_interrupted_deploy, "after-config-change": after_config_change}


# ---------------------------------------------------------------- the campaign

def pinned(keys: str, containers) -> str:
    """``keys`` (targets.toml lines) with each ``"NAME sha256:@"`` entry pinned as an admin pins it after review:
    one entry per content the batch's hosts have of it (``sha256sum`` as root in each container; a unit: the
    ``sha256sum`` lines of its file and drop-ins in /etc/systemd/system, hashed; a privileged entry: its path, the
    first word); none when no host has it."""
    from ..schema import toml_loads

    def digests(key: str, name: str) -> list[str]:
        path = name.split(" ")[0]
        unit = f"/etc/systemd/system/{path}"
        cmd = (f"test -e {unit} && cd / && sha256sum {unit} $(ls {unit}.d/*.conf 2>/dev/null) | sha256sum"
               if key == "allow_units" else f"sha256sum {path}")
        found = {out.split()[0] for c in containers for code, out in [c.exec_run(["sh", "-c", cmd], user="root")]
                 if code == 0 and out.strip()}
        return [f"{name} sha256:{h.decode()}" for h in sorted(found)]

    lines = []
    for line in keys.splitlines():
        if "sha256:@" in line:
            (key, entries), = toml_loads(line).items()
            line = f"{key} = " + json.dumps([e for entry in entries for e in (
                digests(key, entry[:-len(" sha256:@")]) if entry.endswith(" sha256:@") else [entry])])
        lines.append(line)
    return "\n".join(lines) + "\n"


class Campaign:
    """See the module docstring. ``gate_paths``: what the gate runs besides the built-in suite."""

    def __init__(self, app: Path, cfg, *, gate_paths: Sequence[str] = (), cwd: Path | None = None, batch: int = 8,
                 clean: int = 10, select: list[str] | None = None, progress: Callable[[str], None] = print,
                 gate_options: Sequence[str] = (), stack=None, faults: Sequence[Fault] | None = None,
                 target_keys: str = "", states: bool = True, snapshot_from: Campaign | None = None,
                 boot: tuple[str, dict] | None = None, ready_timeout: float = 30.0):
        self.app, self.cfg, self.cwd = Path(app), cfg, Path(cwd or os.getcwd())
        self.stack = stack or DEFAULT  # the servers' platform (--platform: its first)
        self.gate_paths = [str(p) for p in gate_paths]
        self.gate_options = list(gate_options)
        self.batch, self.clean, self.progress = max(2, batch), clean, progress
        # ``faults``: a list of its own instead of the catalogue (e.g. drift the catalogue does not name)
        self.faults = list(faults) if faults is not None else [
            f for f in FAULTS if not select or any(s in f.id or s == f.promise for s in select)]
        # ``boot``: (a ready image of the stack, run options): the servers booted another way than the stack's
        # own image, e.g. with systemd as PID 1; the snapshot and every host run with those options
        self.boot_image: str | None = boot[0] if boot is not None else None
        self.run_options: dict = boot[1] if boot is not None else {}
        self.ready_timeout = ready_timeout  # seconds a host's sshd may take to answer (--host-timeout)
        self.target_keys = target_keys  # more keys of the gate's target table, e.g. allow_listen = [...]
        self.states = states  # the pipeline's legitimate states as controls (every rule runs on each: once is enough)
        self.workdir = Path(tempfile.mkdtemp(prefix="deploytests-faults-"))
        self._variants: dict[int, object] = {}
        self.base: dict = {}
        # ``snapshot_from``: a campaign of the same app and config whose snapshot image this one uses as it is
        # (the image is immutable: each host is a fresh container of it); it stays that campaign's to remove
        self.owns_image = snapshot_from is None
        if snapshot_from is not None:
            for name in ("stack", "python_version", "artifact", "values", "client", "image", "base", "boot_image",
                         "run_options"):
                setattr(self, name, getattr(snapshot_from, name))

    def variant(self, n: int):
        if n not in self._variants:
            self._variants[n] = variant(self.artifact, n, self.artifact.path.parent)
        return self._variants[n]

    # -- 1. base snapshot ---------------------------------------------------------------------------
    def snapshot(self) -> str:
        started = time.monotonic()
        with Fleet(count=1, name_prefix="faults-base", image=self.stack.image, base=self.stack.base_image,
                   image_tag=self.boot_image, run_options=self.run_options, ready_timeout=self.ready,
                   progress=lambda m: None) as fleet:
            server, container = fleet.servers[0], fleet.containers[0]
            c = server.connection()
            boot = pipeline.bootstrap(c, self.cfg)
            self.stack = get(boot.stack)
            self.python_version = boot.python_version
            self.artifact = pipeline.pack(self.app, self.cfg, python_version=boot.python_version)
            prev = pipeline.deploy(c, self.cfg, self.variant(1)).release_id
            live = pipeline.deploy(c, self.cfg, self.artifact).release_id
            self.values = values_for(self.cfg, login=server.user, deploy_user=self.cfg.deploy_user or server.user,
                                     live=live, prev=prev, python_version=boot.python_version, artifact=self.artifact,
                                     stack=self.stack)
            container.exec_run(["rm", "-f", self.stack.apache.pid_file], user="root")
            image = container.commit(repository="deploytests/faults-snapshot", tag=fleet.run_id)
            self.client = fleet.client
        self.image = image
        self.base = {"live": live, "previous": prev, "artifact": self.artifact.sha256[:12],
                     "version": self.artifact.version, "seconds": round(time.monotonic() - started, 2)}
        return image.tags[0]

    @property
    def ready(self) -> float:
        """Seconds a host may take to answer on SSH: a whole init's boot takes longer than an entrypoint's sshd."""
        return max(180.0, self.ready_timeout) if self.run_options else self.ready_timeout

    keep_image = False  # True: the snapshot outlives run(), for campaigns made ``snapshot_from`` this one

    def remove_image(self) -> None:
        try:
            self.client.images.remove(self.image.id, force=True)
        except Exception:  # noqa: BLE001 - best effort: a leftover image is only disk (and the sweep's)
            pass

    # -- 2./3. batches --------------------------------------------------------------------------------
    def items(self) -> list[list[Item]]:
        """Batches: faults in groups of ``batch - 1`` plus a clean host each; ``alone`` faults by themselves;
        the legitimate states and the remaining clean hosts fill the last batches."""
        plain = [Item(f.id, "fault", fault=f) for f in self.faults if not f.alone]
        alone = [Item(f.id, "fault", fault=f) for f in self.faults if f.alone]
        size = self.batch - 1
        batches = [plain[i:i + size] for i in range(0, len(plain), size)]
        n = 0
        for batch in batches:
            if n < self.clean:
                n += 1
                batch.append(Item(f"clean-{n}", "clean"))
        controls = [Item(name, "state", state=fn) for name, fn in STATES.items() if self.states and
                    (fn is not after_config_change or self.cfg.config_file)]  # (only an app with a config)
        while n < self.clean:
            n += 1
            controls.append(Item(f"clean-{n}", "clean"))
        batches += [controls[i:i + self.batch] for i in range(0, len(controls), self.batch)]
        return batches + [[item] for item in alone]

    def prepare(self, items: list[Item], tag: str):
        """Start the batch's containers (one per item) and make each item's fault or state; returns the entered
        Fleet and the seconds spent (start, inject)."""

        t0 = time.monotonic()
        fleet = Fleet(count=len(items), name_prefix="fault", image_tag=tag, run_options=self.run_options,
                      ready_timeout=self.ready, progress=lambda m: None)
        fleet.__enter__()
        t1 = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=len(items)) as pool:
                list(pool.map(self.make, items, fleet.servers, fleet.containers))
            for server in fleet.servers:
                server.close()
        except BaseException:
            fleet.__exit__(None, None, None)
            raise
        return fleet, (t1 - t0, time.monotonic() - t1)

    def make(self, item: Item, server, container) -> None:
        """Inject the item's fault (as root, ``docker exec``) or make its state; a failure is its ``problem``."""
        try:
            if item.fault is not None:
                res = container.exec_run(script(item.fault, self.values), user="root")
                if res.exit_code != 0:
                    item.problem = (f"injection exited {res.exit_code}: "
                                    f"{res.output.decode(errors='replace').strip()[-200:]}")
            elif item.state is not None:
                item.state(self, server, container)
        except Exception as exc:  # noqa: BLE001 - reported in the table, the others go on
            item.problem = f"{type(exc).__name__}: {exc}"

    def gate(self, items: list[Item], fleet) -> None:
        """One read-only gate run against the batch's containers; results per host from the junit XML."""
        run = self.workdir / f"run-{fleet.run_id}"
        run.mkdir()
        names = {item.name: item for item in items}
        places = {item.name: f"{s.host}:{s.port}" for item, s in zip(items, fleet.servers, strict=True)}
        hosts = ", ".join(f'{{ name = "{item.name}", address = "{s.user}@{s.host}:{s.port}", '
                          f'base_url = "{s.base_url}" }}' for item, s in zip(items, fleet.servers, strict=True))
        config = f'config_file = "{self.cfg.config_file}"\n' if self.cfg.config_file else ""
        keys = pinned(self.target_keys, fleet.containers) if "sha256:@" in self.target_keys else self.target_keys
        (run / "targets.toml").write_text(
            f'[targets.faults]\nhosts = [{hosts}]\nidentity_file = "{fleet.key.path}"\n'
            f'known_hosts = "{fleet.known_hosts}"\n{config}deploy = false\ndestructive = false\n'
            + (keys.rstrip("\n") + "\n" if keys else ""))
        paths = [str(SUITE)] + [p for p in self.gate_paths if Path(p).resolve() != SUITE]
        cmd = [sys.executable, "-m", "pytest", *paths, "--deploytests-target", "faults", "--deploytests-targets-file",
               str(run / "targets.toml"), "--deploytests-app", str(self.app), "-p", "no:cacheprovider", "-q", "-rs",
               "--junitxml", str(run / "junit.xml"), "-o", "junit_family=xunit2", *self.gate_options]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPLOYTESTS_", "PYTEST_ADDOPTS"))}
        env["DEPLOYTESTS_FAULT_RUN"] = "1"
        proc = subprocess.run(cmd, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=600)
        (run / "output.txt").write_bytes(proc.stdout)
        xml = run / "junit.xml"
        cases = list(ET.parse(xml).getroot().iter("testcase")) if xml.is_file() else []
        for case in cases:
            test = case.get("name", "")
            label = test.split("[", 1)[1].rstrip("]") if "[" in test else ""
            host = label.split("@", 1)[1] if "@" in label else ""
            targets = [names[host]] if host in names else items  # a test not per host: every host's result
            outcome = "failed" if case.find("failure") is not None or case.find("error") is not None else \
                "skipped" if case.find("skipped") is not None else "passed"
            for item in targets:
                if outcome == "failed":
                    item.failed.append(f"{case.get('classname', '')}::{test}")
                elif outcome == "skipped":
                    item.skipped += 1
                else:
                    item.passed += 1
        text = proc.stdout.decode(errors="replace").splitlines()
        stop = next((ln for ln in reversed(text) if "Exit: deploytests:" in ln), None)  # (a stop of ours only)
        for item in items:
            if item.problem or item.failed or item.passed or item.skipped != len(cases):
                continue
            if stop is None:  # nothing ran and no session stop of ours said why (a path pytest could not find, a
                # usage error, no tests): no verdict, never a catch nor a clean run
                last = next((ln.strip() for ln in reversed(text) if ln.strip()), "no output")
                item.problem = f"the gate run did not run (exit {proc.returncode}): {last[-200:]}"
                continue
            # nothing ran for this host: the session stopped (a host it could not reach, a bad setting). A stop is
            # a fault's catch only when it names that fault's host (its name or its address): one that names no
            # host (the runner's own setting: a config file others may write) is no verdict, never a catch
            why = stop[stop.index("deploytests:"):]
            if item.kind == "fault" and (places.get(item.name, "@") in why or re.search(
                    rf"(?<![\w.-]){re.escape(item.name)}(?![\w.-])", why)):
                item.failed.append(f"session stop: {why.rstrip(' !')}")
            else:
                item.problem = f"the gate run stopped: {why.rstrip(' !')}"

    def run(self) -> Report:
        started = time.monotonic()
        self.progress(f"faults: {len(self.faults)} in the catalogue; building the base snapshot "
                      f"(bootstrap, pack, deploy twice, docker commit)")
        tag = self.snapshot() if self.owns_image else self.image.tags[0]
        self.progress(f"faults: snapshot {tag} in {self.base['seconds']:.1f}s")
        batches = self.items()
        # the next batch's containers start and get their faults while the current batch's gate runs
        prep, stopper, stops = ThreadPoolExecutor(max_workers=1), ThreadPoolExecutor(max_workers=1), []
        upcoming = prep.submit(self.prepare, batches[0], tag) if batches else None
        try:
            for n, batch in enumerate(batches, 1):
                t0 = time.monotonic()
                assert upcoming is not None  # one prepared per batch
                fleet, (start, inject) = upcoming.result()
                upcoming = prep.submit(self.prepare, batches[n], tag) if n < len(batches) else None
                t1 = time.monotonic()
                try:
                    self.gate(batch, fleet)
                finally:
                    stops.append(stopper.submit(fleet.__exit__, None, None, None))  # removed in the background
                self.progress(f"faults: gate run {n}/{len(batches)} (waited {t1 - t0:.1f}s for its hosts: start "
                              f"{start:.1f}s, inject {inject:.1f}s; gate {time.monotonic() - t1:.1f}s): "
                              f"{', '.join(i.name for i in batch)}")
        finally:
            if upcoming is not None:  # a gate run failed: the batch prepared meanwhile is removed too
                try:
                    upcoming.result()[0].__exit__(None, None, None)
                except Exception:  # noqa: BLE001 - its own preparation failed: nothing left to remove
                    pass
            prep.shutdown(wait=True)
            stopper.shutdown(wait=True)  # every container of the campaign is gone before the snapshot image
            if self.owns_image and not self.keep_image:
                self.remove_image()
            if os.environ.get("DEPLOYTESTS_FAULTS_KEEP"):
                self.progress(f"faults: kept the gate runs' inventories, junit and output in {self.workdir}")
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)
        return Report([i for b in batches for i in b], time.monotonic() - started, len(batches), self.base)
