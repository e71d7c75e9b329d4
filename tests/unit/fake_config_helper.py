"""A stand-in for the root config helper (``agent_root.py config <app>``, which needs root), for the agent's
unit tests: ``python fake_config_helper.py LOG [refuse-op]``.

It reads the request line (and an install's config bytes) as the real helper does, appends the request with
its config to LOG (one JSON line), and answers with the real helper's result shape: ``activate`` finds only
configs it installed before; ``refuse-op`` makes that operation fail with an error event.
"""

import hashlib
import json
import sys


def main(argv):
    log = argv[0]
    refuse = argv[1] if len(argv) > 1 else ""
    request = json.loads(sys.stdin.buffer.readline())
    config = sys.stdin.buffer.read(request["size"]) if request["op"] == "install" else b""
    with open(log, "a") as f:
        f.write(json.dumps(dict(request, config=config.decode())) + "\n")
    if request["op"] == refuse:
        print("@@DT " + json.dumps({"event": "error", "what": "refusing %s" % refuse, "hint": "", "detail": "",
                                    "step": "config"}))
        return 3
    if request["op"] == "install":
        reply = {"changed": True, "sha256": hashlib.sha256(config).hexdigest(), "changes": ["file written"]}
    elif request["op"] == "activate":
        with open(log) as f:
            kept = {hashlib.sha256(json.loads(line)["config"].encode()).hexdigest() for line in f
                    if json.loads(line)["op"] == "install"}
        reply = {"changed": request["sha256"] in kept, "found": request["sha256"] in kept}
    else:
        reply = {"changed": True}
    print("@@DT " + json.dumps(dict(reply, event="result")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
