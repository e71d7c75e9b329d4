"""Measure the blind fault set (faults.py) against a deploytests gate.

Run with the interpreter whose ``deploytests`` is to be measured, from a directory outside any checkout:
    python harness.py [--platform debian13] [--only ID,ID] [--no-probe]
It copies the example app with ``deploy_user = "deployer"`` (the least-privilege deploy login docs recommend:
the gate's login, appuser, has sudo; the deploy login has none), then uses deploytests' own fault campaign
(deploytests.faults.run.Campaign: one snapshot with a live release and a previous one, a fresh container per
item, one read-only gate run per batch) with these faults and controls instead of the catalogue. Then, for the
validity of each fault, a fresh container of the same snapshot per fault: inject, run its probe (exit 0: the
fault has the effect its reason claims).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import faults as blind  # noqa: E402

import deploytests  # noqa: E402
from deploytests.config import load_config  # noqa: E402
from deploytests.containers import Fleet  # noqa: E402
from deploytests.faults.catalogue import Fault  # noqa: E402
from deploytests.faults.run import Campaign  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402


def app_copy(where: Path) -> Path:
    src = Path(deploytests.__file__).parent / "examples" / "apps" / "yourapplication"
    dst = where / "yourapplication"
    shutil.copytree(src, dst)
    cfg = (Path(deploytests.__file__).parent / "examples" / "config" / "docker.cfg").resolve()
    text = (dst / "deploy.toml").read_text().replace('config_file = "../../config/docker.cfg"',
                                                      f'config_file = "{cfg}"')
    (dst / "deploy.toml").write_text(text + '\ndeploy_user = "deployer"\n')
    return dst


class DeployerCampaign(Campaign):
    """The catalogue's campaign, its two deploys made by the deploy login (deploy.toml's deploy_user)."""

    @property
    def ready(self) -> float:
        return 240.0  # a shared machine at load 40: sshd may take minutes to answer

    def snapshot(self) -> str:
        import time

        from deploytests import pipeline
        from deploytests.faults.catalogue import values_for
        from deploytests.stacks import get
        started = time.monotonic()
        with Fleet(count=1, name_prefix="blind23-base", image=self.stack.image, base=self.stack.base_image,
                   image_tag=self.boot_image, run_options=self.run_options, ready_timeout=self.ready,
                   progress=lambda m: None) as fleet:
            server, container = fleet.servers[0], fleet.containers[0]
            boot = pipeline.bootstrap(server.connection(), self.cfg)
            self.stack = get(boot.stack)
            self.python_version = boot.python_version
            self.artifact = pipeline.pack(self.app, self.cfg, python_version=boot.python_version)
            d = server.new_connection(user=self.cfg.deploy_user)
            # the rollback target is another version (the example's v2: other code), as on a server in use
            other = pipeline.pack(Path(deploytests.__file__).parent / "examples" / "apps" / "yourapplication-v2",
                                  self.cfg, python_version=boot.python_version)
            prev = pipeline.deploy(d, self.cfg, other).release_id
            live = pipeline.deploy(d, self.cfg, self.artifact).release_id
            d.close()
            self.values = values_for(self.cfg, login=server.user, deploy_user=self.cfg.deploy_user, live=live,
                                     prev=prev, python_version=boot.python_version, artifact=self.artifact,
                                     stack=self.stack)
            container.exec_run(["rm", "-f", self.stack.apache.pid_file], user="root")
            # the lab gives every login the same key; on a real fleet the deploy login's key is CI's, not the
            # admin's: give it a key of its own, kept across container starts (the entrypoint installs the
            # run's key for the gate's login only)
            res = container.exec_run(["sh", "-ec", "ssh-keygen -q -t ed25519 -N '' -f /tmp/k && install -m 0600 "
                                      "-o deployer -g deployer /tmp/k.pub ~deployer/.ssh/authorized_keys && "
                                      "rm -f /tmp/k /tmp/k.pub"], user="root")
            assert res.exit_code == 0, res.output
            fp = container.exec_run(["sh", "-c", "ssh-keygen -lf ~deployer/.ssh/authorized_keys"], user="root")
            # the operator allows CI's key to the deploy login (the gate's own line says how)
            self.target_keys += f'allow_keys = ["deployer {fp.output.decode().split()[1]}"]\n'
            image = container.commit(repository="deploytests/blind23-snapshot", tag=fleet.run_id,
                                     changes=["ENV DEPLOYTESTS_LOGINS=appuser"])
            self.client = fleet.client
        self.image = image
        self.base = {"live": live, "previous": prev, "seconds": round(time.monotonic() - started, 2)}
        return image.tags[0]


CONFS = ("central-logging", "pidfile", "wsgi-embedded", "wsgi-sock", "health-lb", "no-leak", "quiet", "zz-hardening",
         "nosniff")
ALLOW = ("allow_apache_conf = [" + ", ".join(f'"/etc/apache2/conf-enabled/{c}.conf sha256:@"' for c in CONFS) + "]\n"
         'allow_modules = ["headers_module"]\n'
         'allow_sudo = ["Defaults requiretty", "Defaults:deployer noexec", '
         '"deployer ALL=(yourapplication) NOPASSWD:NOEXEC: /var/www/yourapplication/releases/*/venv/bin/python"]\n')


def fill(text: str, values: dict) -> str:
    py = f"python{values['python_version']}"
    return text.format(root=values["root"], app=values["app"], live=values["live"], prev=values["prev"], py=py,
                       pyexe=py)


def as_catalogue(f: blind.Fault) -> Fault:
    # placeholders stay ours: render() is called by the campaign with its values; we pre-map ours onto its names
    cmd = (f.snippet.replace("{{", "\x00").replace("}}", "\x01")
           .replace("{py}", "python{python_version}").replace("{pyexe}", "python{python_version}")
           .replace("\x00", "{{").replace("\x01", "}}"))
    return Fault(f.id, f.kind, f.reason, cmd)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--platform", default="debian12")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-probe", action="store_true")
    ap.add_argument("--members", action="store_true", help="also the class members written after reading the gate")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--allow", action="store_true",
                    help="allow (pinned, as an admin does after review) the files the items add: the fault must "
                         "then be caught by its effect, not as an unaccounted file")
    args = ap.parse_args()
    print(f"blind23: deploytests imported from {Path(deploytests.__file__).parent}", flush=True)
    only = [s for s in args.only.split(",") if s]
    items = [f for f in blind.FAULTS + blind.CONTROLS + (blind.MEMBERS if args.members else [])
             if not only or f.id in only]
    work = Path(tempfile.mkdtemp(prefix="blind23-"))
    app = app_copy(work)
    cfg = load_config(app)
    stack = for_platform(args.platform)
    campaign = DeployerCampaign(app, cfg, cwd=work, batch=args.batch, clean=1, states=False, stack=stack,
                        faults=[as_catalogue(f) for f in items], progress=lambda m: print(m, flush=True),
                        target_keys=ALLOW if args.allow else "")
    campaign.keep_image = True
    os.environ["DEPLOYTESTS_FAULTS_KEEP"] = "1"
    print(f"blind23: gate runs kept in {campaign.workdir}", flush=True)
    try:
        report = campaign.run()
        probes: dict[str, str] = {}
        if not args.no_probe:
            probes = probe_all(campaign, [f for f in items if f.probe], stack)
    finally:
        campaign.remove_image()
    kinds = {f.id: f.kind for f in items}
    messages = junit_messages(campaign.workdir)
    print(f"\n=== blind23 on {args.platform} (deploytests from {Path(deploytests.__file__).parent}) ===")
    caught = missed = invalid = 0
    for i in report.items:
        kind = kinds.get(i.name, i.kind)
        valid = probes.get(i.name, "not probed")
        if kind == "control" or i.kind == "clean":
            verdict = ("FALSE ALARM: " + " | ".join(messages.get(t.split("::")[-1], t)[:400] for t in i.failed)) \
                if i.failed else \
                (f"NOT RUN: {i.problem}" if i.problem else f"pass ({i.passed} passed)")
        elif i.problem:
            verdict = f"NOT RUN: {i.problem}"
        elif valid.startswith("INVALID"):
            invalid += 1
            verdict = ("caught" if i.caught else "missed") + f" -- {valid}"
        elif i.caught:
            caught += 1
            verdict = "CAUGHT by " + " | ".join(messages.get(t.split("::")[-1], t)[:220] for t in i.failed[:3])
        else:
            missed += 1
            verdict = f"MISSED ({i.passed} passed, {i.skipped} skipped)"
        print(f"{i.name:32} {kind:8} {verdict}   [{valid}]" if kind not in ("control", "clean") else
              f"{i.name:32} {kind:8} {verdict}")
    print(f"blind23 {args.platform}: caught {caught}/{caught + missed} valid faults ({invalid} invalid); "
          f"base {report.base}; {report.seconds:.0f}s")
    return 0


def junit_messages(workdir: Path) -> dict[str, str]:
    import xml.etree.ElementTree as ET
    out = {}
    for xml in Path(workdir).glob("run-*/junit.xml"):
        for case in ET.parse(xml).getroot().iter("testcase"):
            node = case.find("failure") if case.find("failure") is not None else case.find("error")
            if node is not None:
                text = (node.text or node.get("message") or "").replace("\n", " ")
                out[case.get("name", "")] = case.get("name", "").split("[")[0] + ": " + " ".join(text.split())[-300:]
    return out


def probe_all(campaign: Campaign, items: list[blind.Fault], stack) -> dict[str, str]:
    out: dict[str, str] = {}
    tag = campaign.image.tags[0]
    for k in range(0, len(items), 6):
        chunk = items[k:k + 6]
        with Fleet(count=len(chunk), name_prefix="blind23-probe", image_tag=tag, run_options=campaign.run_options,
                   ready_timeout=campaign.ready, progress=lambda m: None) as fleet:
            for f, container in zip(chunk, fleet.containers, strict=True):
                v = campaign.values
                inj = container.exec_run(["sh", "-ec", fill(f.snippet, v)], user="root")
                res = container.exec_run(["sh", "-c", fill(f.probe or "true", v)], user="root")
                out[f.id] = ("valid (probe ok)" if res.exit_code == 0 else
                             f"INVALID: probe exit {res.exit_code} (inject exit {inj.exit_code}): "
                             f"{res.output.decode(errors='replace').strip()[-160:]}")
    return out


if __name__ == "__main__":
    sys.exit(main())
