"""The runner's CPU by what it did, from py-spy's raw samples of the thread holding the GIL:

    py-spy record --gil --subprocesses --format raw -r 200 -o OUT -- python -m pytest deploytests/suite ...
    python perf9/runner_split.py OUT

Each sample goes to the first bucket whose test matches its whole stack.
"""

import collections
import sys

RULES = [
    ("child pytest (host-key scenario)", lambda st: st.count("process ") > 1),
    ("stop/teardown: gc, unconfigure", lambda st: "pytest_unconfigure" in st or "gc_collect_harder" in st),
    ("pytest start-up: plugins, config", lambda st: "_prepareconfig" in st),
    ("collection (test modules' imports, rewrite)", lambda st: "pytest_collection " in st or "perform_collect" in st),
    ("the loads' requests", lambda st: "Load._run" in st),
    ("gate: facts parsing and checks", lambda st: any(m in st for m in ("verify/parse.py", "verify/promises.py",
                                                                         "rootacts.py", "verify/grants",
                                                                         "mechanisms.py"))),
    ("SSH: key exchange, auth", lambda st: any(m in st for m in ("_parse_kex", "kex_", "auth_handler", "_activate",
                                                                  "start_client"))),
    ("SSH: packets (upload, channels)", lambda st: "paramiko" in st),
    ("the engine's API (docker)", lambda st: "docker/" in st),
    ("imports (lazy, during the run)", lambda st: "_find_and_load" in st),
    ("tests and scenarios' own code", lambda st: True),
]


def main(path: str) -> None:
    by: collections.Counter = collections.Counter()
    total = 0
    for line in open(path):
        stack, _, n = line.rstrip().rpartition(" ")
        total += int(n)
        by[next(name for name, test in RULES if test(stack))] += int(n)
    for name, n in by.most_common():
        print(f"{100 * n / total:5.1f}%  {name}")
    print(f"samples {total} (200/s of the thread holding the GIL)")


if __name__ == "__main__":
    main(sys.argv[1])
