"""A deployed Debian 12 server with more admin tooling installed by hand from Debian's mirror (issue 17, "0 false
alarms"): tools none of ``test_admin_tooling``'s stages installs, with their defaults and a typical tweak. One
container, three gate runs (about 4 minutes on an idle machine, 10 under a load average of 60).

- nullmailer as the server's MTA, relaying to the team's smarthost (its debconf answers): its postinst writes
  ``/etc/nullmailer/remotes`` ``0600 mail:mail`` (the relay's password: the account its queue runner runs as reads
  it, and no one else may). A file of /etc another account may change: one line naming ``allow_privileged``, pinned
  by the file's identity (the gate's login may not read it: its inode, ``ctime``, size, mode and owner), and the
  gate passes once it is written; the admin's next edit of the relay breaks the pin (one line, "changed since").
  Before, the line offered ``sha256:<its sha256>`` and said to make the secret readable to the gate: no entry
  could hold.
- silent, installed in the same apt call: screen, ncdu, mosh, python3-venv (a venv under ``/opt`` for an admin's
  tool, linked into ``/usr/local/bin`` and run by a root cron job), lvm2, mdadm, openvpn, wireguard-tools,
  vnstat, openntpd: none needs an allowance.
"""

from __future__ import annotations

import re

import pytest
from test_admin_tooling import allowance, gate, root

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

pytestmark = pytest.mark.integration
APP = APPS / "yourapplication"
LOAD_PATH = "test_nothing_on_the_load_path_is_writable_by_others[ssh://appuser@web]"

PRESEED = """
echo 'nullmailer shared/mailname string web.example.com' | debconf-set-selections
echo 'nullmailer nullmailer/relayhost string smtp.example.com smtp --port=587 --starttls --user=web --pass=s3cret' \\
  | debconf-set-selections
"""
PACKAGES = ("nullmailer", "screen", "ncdu", "mosh", "python3-venv", "lvm2", "mdadm", "openvpn", "wireguard-tools",
            "vnstat", "openntpd", "cron")
TOOLS = """
service nullmailer start >/dev/null
python3 -m venv /opt/ops-tools
printf '#!/opt/ops-tools/bin/python3\\nimport sys\\nprint(sys.prefix)\\n' > /opt/ops-tools/bin/opscheck
chmod 0755 /opt/ops-tools/bin/opscheck && ln -s /opt/ops-tools/bin/opscheck /usr/local/bin/opscheck
printf '17 * * * * root /usr/local/bin/opscheck >/dev/null\\n' > /etc/cron.d/opscheck
i=0; until pgrep -x nullmailer-send >/dev/null; do
  i=$((i+1)); [ $i -lt 100 ] || { echo 'nullmailer-send not up after 100 polls'; exit 1; }; sleep 0.1; done
"""


def test_a_service_s_secret_its_postinst_hands_its_account_is_one_line_with_an_allowance_that_holds(tmp_path):
    cfg, stack = load_config(APP), for_platform("debian12")
    with Fleet(count=1, name_prefix="admintools-secrets", image=stack.image, base=stack.base_image,
               progress=lambda m: None, ready_timeout=120) as fleet:  # (a loaded machine: sshd starts late)
        c = fleet.servers[0].connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        box = fleet.containers[0]
        root(box, PRESEED + "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                  "--no-install-recommends " + " ".join(PACKAGES) + " >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; "
                  "exit 1; }")
        root(box, TOOLS)
        failed = gate(tmp_path, fleet)
        shown = "\n".join(f"{t}: {ln}" for t, items in failed.items() for ln in items)
        assert list(failed) == [LOAD_PATH] and len(failed[LOAD_PATH]) == 1, shown
        line = failed[LOAD_PATH][0]
        assert line.startswith("/etc/nullmailer/remotes (0600 mail:mail): ") and "<its sha256>" not in line, line
        assert "review it as root first (the gate's login may not read /etc/nullmailer/remotes: the pin is of its " \
               "identity" in line, line
        written = allowance(line, pinned=True)
        assert re.fullmatch(r'allow_privileged = \["/etc/nullmailer/remotes 0600 mail:mail sha256:[0-9a-f]{64}"\]',
                            written), line
        assert gate(tmp_path, fleet, written + "\n") == {}

        # the admin moves the relay to another port: the file is no longer the one reviewed
        root(box, "sed -i 's/--port=587/--port=465/' /etc/nullmailer/remotes")
        failed = gate(tmp_path, fleet, written + "\n")
        lines = [ln for items in failed.values() for ln in items]
        assert len(lines) == 1 and lines[0].startswith("/etc/nullmailer/remotes (0600 mail:mail): ") and \
            "but it has changed since" in lines[0], "\n".join(lines)
