"""(writes13) A snapshot of the deployed lab (as the fault campaigns make it), one container of it with a fault of
faults13 injected, the gate's facts gathered and the named rules run on them (the raw snapshot kept as JSON in
/tmp): python writes13/facts13.py FAULT-ID [RULE ...]; the image is removed at the end."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.faults.run import Campaign
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS
from deploytests.verify.facts import gather
from deploytests.verify.promises import Expected
from stock import outcome  # noqa: E402  (tests/unit/stock.py)

from faults13 import ALL, ALLOW_KEYS

fid, rules = sys.argv[1], sys.argv[2:]
cfg = load_config(APPS / "yourapplication")
fault = next(f for f in ALL if f.id.startswith(fid))
camp = Campaign(APPS / "yourapplication", cfg, faults=[fault], clean=0, batch=2, progress=print,
                stack=for_platform("debian12"))
tag = camp.snapshot()
try:
  with Fleet(count=1, name_prefix="w13facts", image_tag=tag, progress=lambda m: None) as fleet:
      server, container = fleet.servers[0], fleet.containers[0]
      values = {"root": cfg.root, "app_user": cfg.app_user}
      res = container.exec_run(["sh", "-c", fault.command.format_map(type("D", (dict,), {"__missing__": lambda s, k: "{" + k + "}"})(values))], user="root")
      print("inject", res.exit_code)
      facts = gather(server, cfg)
      Path(f"/tmp/w13-facts-{fid}.json").write_text(json.dumps(facts.raw.raw, default=str))
      import tomllib

      from deploytests.allowances import Allowances
      keys = tomllib.loads(ALLOW_KEYS.format(**values))
      exp = Expected.from_config(cfg, "appuser")
      import dataclasses
      exp = dataclasses.replace(exp, allow=Allowances(**{k[len("allow_"):]: tuple(v) for k, v in keys.items()}))
      for rule in rules:
          print(rule, outcome(rule, facts, exp)[:3000])

finally:
    camp.client.images.remove(camp.image.id, force=True)
