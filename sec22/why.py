# ruff: noqa
"""Print each failed test's message lines per host from a campaign workdir's junit files: why a fault was caught."""
import sys, glob, xml.etree.ElementTree as ET
for xml in sorted(glob.glob(sys.argv[1] + "/run-*/junit.xml")):
    for case in ET.parse(xml).getroot().iter("testcase"):
        f = case.find("failure") if case.find("failure") is not None else case.find("error")
        if f is None:
            continue
        name = case.get("name", "")
        host = name.split("@", 1)[1].rstrip("]") if "@" in name else "?"
        msg = (f.get("message") or "")
        print(f"== {host} :: {name.split('[')[0]}")
        for ln in msg.splitlines()[:6]:
            print("   ", ln[:400])
