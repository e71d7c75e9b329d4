"""Every failed check's whole message per host, from the gate runs' junit XML a campaign left in its workdir.

    python blind7s/messages.py /tmp/deploytests-faults-XXXX [...]   (prints: host, check, message cut at 900)
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

for workdir in sys.argv[1:]:
    for run in sorted(Path(workdir).glob("run-*")):
        xml = run / "junit.xml"
        if not xml.is_file():
            continue
        for case in ET.parse(xml).getroot().iter("testcase"):
            node = case.find("failure") if case.find("failure") is not None else case.find("error")
            if node is None:
                continue
            name = case.get("name", "")
            host = name.split("@", 1)[1].rstrip("]") if "@" in name else "(all)"
            msg = (node.get("message") or node.text or "").strip()
            print(f"{host} | {name.split('[')[0]} | {msg[:900]}")
