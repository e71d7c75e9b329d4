# ruff: noqa  (scratch: perf14's lab scripts, run by hand)
import statistics
import sys

sys.argv = ["g", "x", "0"]
__file__ = "perf14/gather.py"; exec(compile(open("perf14/gather.py").read().split("tag, n =")[0], "g", "exec"))

from deploytests.verify import facts as F
from deploytests.verify.http import site_host
from deploytests.verify.promises import static_paths

for what, fn in [("fetch", lambda: F.fetch(s, ("/", cfg.health_path, *F.PRIVATE, *F.EXPOSED, *static_paths(cfg)), site_host(s.base_url, cfg.server_name), "https://abc.invalid")),
                 ("ssh true", lambda: s.connection().run("true", hide=True)),
                 ("ssh sudo true", lambda: s.connection().run("sudo -n true", hide=True))]:
    r = []
    for _i in range(5):
        c0 = container_cpu(client, lab["id"]); fn(); r.append(container_cpu(client, lab["id"]) - c0)
    print(what, round(statistics.median(r), 4), [round(x, 3) for x in r])
