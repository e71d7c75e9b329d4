"""The Apache error log lines logged since the live release's deploy began, run by the diagnostics on the server.

``python3 -c <this source> CREATED LOG``: ``CREATED`` is RELEASE.json's ``created_at`` (UTC); the log's stamps
are the server's local time. A line without a stamp belongs to the stamped line above it. Prints the last 40
such lines, or one line saying there are none; exits non-zero when ``CREATED`` is not a date.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests.
"""

import calendar
import sys
import time


def main(argv):
    created, log = argv[0], argv[1]
    try:
        since = calendar.timegm(time.strptime(created[:19], "%Y-%m-%dT%H:%M:%S")) - 1
    except ValueError:
        sys.stderr.write("no live release to date its deploy by\n")
        return 1
    keep, out = False, []
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("[") and "]" in line:
                words = line[1:line.index("]")].split()
                try:
                    words[3] = words[3].split(".")[0]
                    keep = time.mktime(time.strptime(" ".join(words), "%a %b %d %H:%M:%S %Y")) >= since
                except (IndexError, ValueError):
                    pass
            if keep:
                out.append(line)
    sys.stdout.write("".join(out[-40:]) or "(no lines since the deploy of the live release began, %s)\n" % created)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
