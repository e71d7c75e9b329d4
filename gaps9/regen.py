"""Replace docs/promises.md's promise table (and the fault table) with the generated ones."""
from pathlib import Path

from deploytests.verify.promises import table

doc = Path("docs/promises.md")
text = doc.read_text()
head = "| step | promise | check (`deploytests/suite/test_promises.py`)"
start = text.index(head)
end = start
lines = text[start:].split("\n")
n = 0
while n < len(lines) and lines[n].startswith("|"):
    n += 1
old = "\n".join(lines[:n])
text = text.replace(old, table().rstrip("\n"), 1)
doc.write_text(text)
print("replaced", n, "lines with", len(table().rstrip("\n").split("\n")))

from deploytests.faults.catalogue import table as fault_table  # noqa: E402

text = doc.read_text()
start = text.index("| fault | breaks promise |")
lines = text[start:].split("\n")
n = 0
while n < len(lines) and lines[n].startswith("|"):
    n += 1
doc.write_text(text.replace("\n".join(lines[:n]), fault_table().rstrip("\n"), 1))
print("faults: replaced", n, "lines")
