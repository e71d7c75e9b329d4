"""Per host of the kept gate runs of a campaign workdir: the tests that failed (a campaign in progress)."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

for run in sorted(Path(sys.argv[1]).glob("run-*"), key=lambda p: p.stat().st_mtime):
    xml = run / "junit.xml"
    if not xml.is_file():
        continue
    hosts: dict[str, list[str]] = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        name = case.get("name", "")
        host = name.split("@", 1)[1].rstrip("]") if "@" in name else "*"
        hosts.setdefault(host, [])
        if case.find("failure") is not None or case.find("error") is not None:
            hosts[host].append(name.split("[")[0])
    for host, failed in hosts.items():
        if host != "*":
            print(f"{host:32} {', '.join(failed) if failed else 'MISSED/clean'}")
