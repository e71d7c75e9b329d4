# ruff: noqa  (scratch: perf15's lab scripts, run by hand)
"""One lab container's full gather, N times: the container's cgroup CPU per gather, the runner's process CPU
(parse + checks), and the facts pickled (perf15/facts-<tag>.pickle) for the runner's offline profile and for
comparing replies. ``python perf15/gather.py TAG [N]`` (the deploytests imported from the cwd's tree)."""
import glob
import json
import pickle
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
from deploytests.config import load_config
from deploytests.containers import docker_client
from deploytests.examples import APPS
from deploytests.servers import Server
from deploytests.suite.lab import container_cpu
from deploytests.verify import facts as F
from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify

lab = json.loads((HERE / "lab.json").read_text())
wd = Path(glob.glob("/tmp/deploytests-fcca482725-*")[0])
client = docker_client()
c = client.containers.get(lab["id"])
ports = c.attrs["NetworkSettings"]["Ports"]
s = Server(name="perf15-1", label=lab["label"], host="127.0.0.1", port=int(ports["22/tcp"][0]["HostPort"]),
           user=lab["login"], key_filename=wd / "id_ed25519", known_hosts=wd / "known_hosts",
           base_url="http://127.0.0.1:%s" % ports["80/tcp"][0]["HostPort"], container_id=lab["id"])
cfg = load_config(APPS / "yourapplication")
s.connection()
tag, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
F.gather(s, cfg)  # warm
rows = []
import cProfile
import os
import pstats

pr = cProfile.Profile() if os.environ.get("PROFILE") else None
if pr:
    pr.enable()
for _i in range(n):
    c0, r0 = container_cpu(client, lab["id"]), time.process_time()
    f = F.gather(s, cfg)
    r1 = time.process_time()
    exp = Expected.from_config(cfg, s.user, stack=s.stack, host=s.host, port=s.port, artifact=None)
    failed = []
    for p in PROMISES:
        try:
            verify(p.id, f, exp)
        except NotApplicable:
            pass
        except AssertionError:
            failed.append(p.id)
    r2 = time.process_time()
    rows.append((container_cpu(client, lab["id"]) - c0, r1 - r0, r2 - r1))
    print("server %.3f  runner gather %.3f checks %.3f  failed %s" % (rows[-1] + (failed,)), flush=True)
if pr:
    pr.disable()
    pstats.Stats(pr).sort_stats(os.environ["PROFILE"]).print_stats(int(os.environ.get("TOP", "40")))
print("median server %.3f runner gather %.3f checks %.3f" % tuple(statistics.median(r[k] for r in rows) for k in range(3)))
(HERE / ("facts-%s.pickle" % tag)).write_bytes(pickle.dumps({"remote": f.remote, "raw": f.raw, "error": f.error}))
