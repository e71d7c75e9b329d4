# ruff: noqa  (scratch: perf15's lab scripts, run by hand)
"""The runner's side of one host's gather on the lab container, in parts (CPU of this process, median of N):
fetch() (the GETs), the probe's round trip (run_programs: SSH), read_root + read_tree (base64, zlib, JSON), facts()
(parse), untrusted.data. ``python perf15/runner.py [N]``"""
import glob, json, statistics, sys, time
from pathlib import Path
HERE = Path(__file__).resolve().parent
from deploytests.config import load_config
from deploytests.containers import docker_client
from deploytests.examples import APPS
from deploytests.servers import Server
from deploytests.verify import facts as F
from deploytests.verify.http import site_host
from deploytests.verify.promises import static_paths
from deploytests.verify.parse import facts as parse_facts
from deploytests import untrusted
from deploytests.stacks import DEFAULT

lab = json.loads((HERE / "lab.json").read_text())
run = json.loads(open("/dev/stdin").read()) if False else None
wd = Path(glob.glob("/tmp/deploytests-%s-*" % docker_client().containers.get(lab["id"]).labels["deploytests.run"])[0])
c = docker_client().containers.get(lab["id"])
ports = c.attrs["NetworkSettings"]["Ports"]
s = Server(name="perf15-1", label=lab["label"], host="127.0.0.1", port=int(ports["22/tcp"][0]["HostPort"]),
           user=lab["login"], key_filename=wd / "id_ed25519", known_hosts=wd / "known_hosts",
           base_url="http://127.0.0.1:%s" % ports["80/tcp"][0]["HostPort"], container_id=lab["id"])
cfg = load_config(APPS / "yourapplication")
s.connection()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
paths = ("/", cfg.health_path, *F.PRIVATE, *F.EXPOSED, *static_paths(cfg))
args = F.probe_args(cfg, cfg.deploy_user or s.user, s.user, s.stack)
rows = {}
t = time.process_time
F.fetch(s, paths, site_host(s.base_url, cfg.server_name), "https://x.invalid")
for _ in range(n):
    a = t(); F.fetch(s, paths, site_host(s.base_url, cfg.server_name), "https://x.invalid"); b = t()
    res = F.run_programs(s, args, DEFAULT.python); c_ = t()
    raw, tree = F.read_root(res), F.read_tree(res); d = t()
    found = parse_facts(raw, tree, dict(args, python=DEFAULT.python)); e = t()
    found.pop("raw"); untrusted.data(found, multiline=F.MULTILINE); f = t()
    for k, v in (("fetch", b - a), ("ssh round trip", c_ - b), ("decode", d - c_), ("parse", e - d), ("untrusted", f - e)):
        rows.setdefault(k, []).append(v)
for k, v in rows.items():
    print("%-16s %.4f  %s" % (k, statistics.median(v), [round(x, 4) for x in v]))
print("GETs per host:", len(paths) + 2, "stdout bytes", len(res.stdout))
