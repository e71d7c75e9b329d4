# ruff: noqa: E501
"""blind15: faults written blind (from README.md and docs/ only), before reading any gate code.

Each fault: ``inject`` (shell, run as root in a deployed container with two releases, the live one and one
to roll back to), ``check`` (shell, exit 0 when the fault took effect: only then is it *valid*) and ``harm``.
``PRELUDE`` runs before each of them. Controls are legitimate admin changes the gate must not fail on.

Group letters: D realistic drift, S security regression, R broken rollback target, M mechanism disabled or
subverted by configuration, G grants root, L loads code into the app, X serves something extra.
"""

PRELUDE = r"""
set -e
APP=/var/www/yourapplication
DEPLOY=$(stat -c %U $APP); APPU=$(stat -c %G $APP)
PYV=$(basename $(readlink -f /usr/bin/python3))
LIVE=$(readlink -f $APP/current)
PREV=$(for d in $APP/releases/*/; do d=${d%/}; [ "$d" != "$LIVE" ] && [ -f $d/RELEASE.json ] && echo $d; done | tail -1)
SP=$LIVE/venv/lib/$PYV/site-packages
PSP=$PREV/venv/lib/$PYV/site-packages
CFG=$(find $APP/shared -maxdepth 1 -type f | head -1)
DATA=$(find $APP/shared -mindepth 1 -maxdepth 1 -type d | head -1)
asapp() { runuser -u $APPU -- sh -c "$1"; }
asdeploy() { runuser -u $DEPLOY -- sh -c "$1"; }
# a script the app user owns and may rewrite at any time (what the app's code, or an attacker in it, controls)
appscript() { printf '#!/bin/sh\nid > /tmp/.pwned-$$\n' > "$1"; chown $APPU:$APPU "$1"; chmod 0755 "$1"; }
reload() { apache2ctl graceful >/dev/null 2>&1; sleep 1.5; }
get() { python3 -c "import urllib.request as u;u.urlopen('http://127.0.0.1/').read()" >/dev/null 2>&1 || true; }
"""

FAULTS = [
    # ---------------------------------------------------------------- realistic drift
    dict(id="D1-hotfix-in-live-code", group="D",
         inject=r"""f=$(ls $SP/yourapplication/*.py | head -1); printf '\n# hotfix: ops 2026-12-06\nHOTFIX = 1\n' >> $f; touch $APP/application.wsgi""",
         check=r"""grep -q 'HOTFIX = 1' $SP/yourapplication/*.py""",
         harm="the live code is not the reviewed artifact; the next deploy silently drops the hotfix"),
    dict(id="D2-config-edited-in-place", group="D",
         inject=r"""printf '\nDEBUG = True\n' >> $CFG; touch $APP/application.wsgi""",
         check=r"""grep -q 'DEBUG = True' $CFG""",
         harm="debug mode on in production (Werkzeug debugger: code execution for any visitor); config not the target's"),
    dict(id="D3-mpm-switched-by-hand", group="D",
         inject=r"""a2dismod -q mpm_event >/dev/null; a2enmod -q mpm_prefork >/dev/null; apache2ctl restart >/dev/null 2>&1; sleep 2""",
         check=r"""apache2ctl -M 2>/dev/null | grep -q mpm_prefork_module""",
         harm="Apache's process model changed by hand: not what bootstrap set up; capacity and memory differ from what was tested"),
    dict(id="D4-dependency-downgraded-in-live-venv", group="D",
         inject=r"""d=$(ls -d $SP/*.dist-info | grep -iv '/yourapplication-' | head -1); sed -i 's/^Version: .*/Version: 0.0.1/' $d/METADATA""",
         check=r"""grep -rq '^Version: 0.0.1' $SP/*.dist-info/METADATA""",
         harm="the live venv's installed metadata no longer matches the artifact (a pip-by-hand leftover)"),

    # ---------------------------------------------------------------- security regressions
    dict(id="S1-config-backup-beside-the-app-root", group="S",
         inject=r"""cp $CFG /var/www/yourapplication.cfg.bak; chmod 0644 /var/www/yourapplication.cfg.bak""",
         check=r"""[ -r /var/www/yourapplication.cfg.bak ] && cmp -s $CFG /var/www/yourapplication.cfg.bak && [ "$(stat -c %a /var/www/yourapplication.cfg.bak)" = 644 ]""",
         harm="the app's secrets readable by every local user (www-data, any other app) in a copy outside the app's tree"),
    dict(id="S2-apache-group-is-the-app-group", group="S",
         inject=r"""sed -i "s/^export APACHE_RUN_GROUP=.*/export APACHE_RUN_GROUP=$APPU/" /etc/apache2/envvars; apache2ctl restart >/dev/null 2>&1; sleep 2""",
         check=r"""pgrep -G $APPU -x apache2 >/dev/null""",
         harm="every Apache worker (any other site, any module hole) reads the app's 0640 group-app config: its secrets"),
    dict(id="S3-www-data-joins-the-app-group", group="S",
         inject=r"""gpasswd -a www-data $APPU >/dev/null; apache2ctl restart >/dev/null 2>&1; sleep 2""",
         check=r"""id -nG www-data | tr ' ' '\n' | grep -qx $APPU""",
         harm="Apache's user reads the app's config and writes its data dirs"),
    dict(id="S4-server-info-opened", group="S",
         inject=r"""a2enmod -q info >/dev/null; sed -i 's/Require local/Require all granted/' /etc/apache2/mods-available/info.conf; reload""",
         check=r"""apache2ctl -M 2>/dev/null | grep -q info_module && grep -q 'Require all granted' /etc/apache2/mods-available/info.conf""",
         harm="/server-info shows the whole configuration (paths, modules, vhosts) to anyone"),
    dict(id="S5-sshd-dropin-root-password-login", group="S",
         inject=r"""sed -i -e 's/^PermitRootLogin .*/PermitRootLogin yes/' -e 's/^PasswordAuthentication .*/PasswordAuthentication yes/' /etc/ssh/sshd_config; echo 'root:Summer2026!' | chpasswd""",
         check=r"""sshd -T 2>/dev/null | grep -qx 'permitrootlogin yes' && sshd -T 2>/dev/null | grep -qx 'passwordauthentication yes'""",
         harm="root logs in over SSH with a guessable password (the next sshd start)"),
    dict(id="S6-apt-security-suite-dropped", group="S",
         inject=r"""python3 - <<'EOF'
import glob, os
for p in ['/etc/apt/sources.list'] + glob.glob('/etc/apt/sources.list.d/*'):
    if not os.path.isfile(p):
        continue
    s = open(p).read()
    if p.endswith('.sources'):
        s = '\n\n'.join(b for b in s.split('\n\n') if 'security' not in b)
    else:
        s = '\n'.join(l for l in s.splitlines() if 'security' not in l) + '\n'
    open(p, 'w').write(s)
EOF""",
         check=r"""! grep -rqs security /etc/apt/sources.list /etc/apt/sources.list.d/ && apt-get -qq --print-uris update >/dev/null 2>&1""",
         harm="the server never gets Debian's security updates again (Apache, OpenSSL, sudo holes stay open)"),
    dict(id="S7-apt-downgrade-to-insecure-repositories", group="S",
         inject=r"""echo 'Acquire::AllowDowngradeToInsecureRepositories "true";' > /etc/apt/apt.conf.d/99mirror""",
         check=r"""apt-config dump | grep -qi 'AllowDowngradeToInsecureRepositories "true"'""",
         harm="a mirror that drops its signature is accepted: an attacker on the path installs packages as root"),
    dict(id="S8-apache-envvars-umask-000", group="S",
         inject=r"""echo 'umask 000' >> /etc/apache2/envvars; apache2ctl stop >/dev/null 2>&1; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; apache2ctl start >/dev/null 2>&1; sleep 2""",
         check=r"""p=$(cat /run/apache2/apache2.pid); grep -q '^Umask:.*0000' /proc/$p/status""",
         harm="files Apache's root parent and its children create (logs, the app's own files) are world-writable"),
    dict(id="S9-sites-available-group-writable", group="S",
         inject=r"""chgrp $DEPLOY /etc/apache2/sites-available; chmod 2775 /etc/apache2/sites-available""",
         check=r"""[ "$(stat -c %a /etc/apache2/sites-available)" = 2775 ]""",
         harm="the deploy login replaces the app's site file root's Apache loads (code as root via piped logs)"),

    # ---------------------------------------------------------------- broken rollback targets
    dict(id="R1-dependency-removed-from-previous-release", group="R",
         inject=r"""rm -rf $PSP/werkzeug""",
         check=r"""[ -n "$PREV" ] && [ ! -d $PSP/werkzeug ] && [ -d $SP/werkzeug ]""",
         harm="a rollback switches to a release that cannot import its dependencies: the site goes down in the emergency"),
    dict(id="R2-previous-release-pyvenv-system-site", group="R",
         inject=r"""sed -i 's/^include-system-site-packages = .*/include-system-site-packages = true/' $PREV/venv/pyvenv.cfg""",
         check=r"""grep -q 'include-system-site-packages = true' $PREV/venv/pyvenv.cfg""",
         harm="the rollback target's python loads the system's site-packages (code not in its artifact)"),
    dict(id="R3-previous-release-shared-link-repointed", group="R",
         inject=r"""l=$(find $PREV -maxdepth 1 -type l | head -1); [ -n "$l" ] && ln -sfn /tmp "$l" """,
         check=r"""find $PREV -maxdepth 1 -type l -lname /tmp | grep -q .""",
         harm="after a rollback the app keeps its data in /tmp (lost, world-writable) instead of shared/"),
    dict(id="R4-kept-config-of-previous-release-altered", group="R",
         inject=r"""sha=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['config_sha256'])" $PREV/RELEASE.json); printf '\nSECRET_KEY = "x"\n' >> $APP/.configs/$sha""",
         check=r"""sha=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['config_sha256'])" $PREV/RELEASE.json); [ "$(sha256sum < $APP/.configs/$sha | cut -c1-64)" != "$sha" ]""",
         harm="a rollback puts back a config that is not the one that release was deployed with"),
    dict(id="R5-previous-release-given-to-app-user", group="R",
         inject=r"""chown -R $APPU $PREV/venv/lib""",
         check=r"""[ "$(stat -c %U $PSP)" = "$APPU" ]""",
         harm="the app (and whoever breaks into it) rewrites the code a rollback will run"),
    dict(id="R6-previous-release-bytecode-replaced", group="R",
         inject=r"""src=$PSP/yourapplication/__init__.py; pyc=$(ls $PSP/yourapplication/__pycache__/__init__.*.pyc | head -1); python3 - "$pyc" "$src" <<'EOF'
import marshal, sys
pyc, src = sys.argv[1], sys.argv[2]
head = open(pyc, 'rb').read()[:16]
code = compile(open(src).read() + "\nROLLBACK_TAMPERED = 1\n", src, 'exec')
open(pyc, 'wb').write(head + marshal.dumps(code))
EOF""",
         check=r"""python3 -c "import marshal,sys;c=marshal.loads(open(sys.argv[1],'rb').read()[16:]);assert 'ROLLBACK_TAMPERED' in c.co_names" $(ls $PSP/yourapplication/__pycache__/__init__.*.pyc | head -1)""",
         harm="the rollback target's compiled code is not what was deployed (an unchecked-hash .pyc runs without looking at its source)"),
    dict(id="R7-only-the-live-release-left", group="R",
         inject=r"""for d in $APP/releases/*/; do d=${d%/}; [ "$d" != "$LIVE" ] && rm -rf "$d"; done; true""",
         check=r"""[ $(ls -d $APP/releases/*/ | wc -l) -eq 1 ]""",
         harm="nothing to roll back to: a bad deploy can only be fixed forward"),

    # ---------------------------------------------------------------- mechanisms disabled or subverted by configuration
    dict(id="M1-reloading-off-in-apache2.conf-directory", group="M",
         inject=r"""sed -i 's#^<Directory /var/www/>#<Directory /var/www/>\n\tWSGIScriptReloading Off#' /etc/apache2/apache2.conf; reload""",
         check=r"""grep -q 'WSGIScriptReloading Off' /etc/apache2/apache2.conf && apache2ctl configtest 2>&1 | grep -q 'Syntax OK'""",
         harm="the next deploy switches current but the daemons keep running the old code"),
    dict(id="M2-allowoverride-all-on-var-www", group="M",
         inject=r"""python3 - <<'EOF'
import re
p = '/etc/apache2/apache2.conf'
s = open(p).read()
s = re.sub(r'(<Directory /var/www/>.*?AllowOverride) None', r'\1 All', s, flags=re.S)
open(p, 'w').write(s)
EOF
reload""",
         check=r"""python3 -c "import re;s=open('/etc/apache2/apache2.conf').read();assert re.search(r'<Directory /var/www/>.*?AllowOverride All',s,re.S)" """,
         harm="a .htaccess the deploy login or the app writes in the tree turns off reloading, rewrites, handlers"),
    dict(id="M3-health-cached-by-mod-cache", group="M",
         inject=r"""a2enmod -q cache_disk >/dev/null; printf 'CacheEnable disk /\nCacheIgnoreNoLastMod On\nCacheDefaultExpire 86400\nCacheIgnoreCacheControl On\n' > /etc/apache2/conf-available/speed.conf; a2enconf -q speed >/dev/null; reload""",
         check=r"""apache2ctl -M 2>/dev/null | grep -q cache_disk_module""",
         harm="cached answers (the old release's /health) pass every deploy's gate; users get stale pages"),
    dict(id="M4-logrotate-postrotate-runs-app-script", group="M",
         inject=r"""(dpkg -s logrotate >/dev/null 2>&1 || (apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y logrotate) >/dev/null 2>&1); appscript $DATA/rotate.sh; sed -i "s#^\(\s*\)postrotate#\1postrotate\n\1\t$DATA/rotate.sh || true#" /etc/logrotate.d/apache2""",
         check=r"""dpkg -s logrotate >/dev/null 2>&1 && grep -q rotate.sh /etc/logrotate.d/apache2""",
         harm="root runs a script the app user writes, every day at log rotation"),
    dict(id="M5-apt-hook-runs-app-code", group="M",
         inject=r"""printf 'APT::Update::Post-Invoke { "%s/current/venv/bin/python -c \\"import yourapplication\\" || true"; };\n' $APP > /etc/apt/apt.conf.d/80app-warmup""",
         check=r"""apt-config dump | grep -q 'yourapplication'""",
         harm="every apt update (root, also unattended) imports the deploy login's code as root"),
    dict(id="M6-profile-d-sources-app-data", group="M",
         inject=r"""appscript $DATA/env.sh; printf '[ -r %s/env.sh ] && . %s/env.sh\n' $DATA $DATA > /etc/profile.d/zz-app.sh""",
         check=r"""rm -f /tmp/.pwned-*; bash -lc 'true'; ls /tmp/.pwned-* >/dev/null 2>&1 && rm -f /tmp/.pwned-*""",
         harm="every login shell (root's sudo -i, every admin's login) runs a file the app user writes"),
    dict(id="M7-etc-environment-pythonpath", group="M",
         inject=r"""echo "PYTHONPATH=$DATA" >> /etc/environment""",
         check=r"""grep -q "^PYTHONPATH=$DATA" /etc/environment""",
         harm="every SSH login (admins with sudo) runs python3 with modules the app user writes first on its path"),
    dict(id="M8-sudo-secure-path-app-dir-first", group="M",
         inject=r"""printf 'Defaults secure_path="%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n' $DATA > /etc/sudoers.d/10-path; chmod 0440 /etc/sudoers.d/10-path; appscript $DATA/ls""",
         check=r"""rm -f /tmp/.pwned-*; visudo -c >/dev/null && sudo -n ls >/dev/null 2>&1; ls /tmp/.pwned-* >/dev/null 2>&1 && rm -f /tmp/.pwned-*""",
         harm="every `sudo cmd` an admin types runs the app user's file of that name as root"),
    dict(id="M9-core-pattern-pipes-to-app-script", group="M",
         inject=r"""appscript $DATA/core.sh; echo "kernel.core_pattern=|$DATA/core.sh %p" > /etc/sysctl.d/60-core.conf""",
         check=r"""grep -q core.sh /etc/sysctl.d/60-core.conf""",
         harm="at the next boot, any crash makes the kernel run the app user's script as root"),
    dict(id="M10-modprobe-install-hook", group="M",
         inject=r"""appscript $DATA/m.sh; mkdir -p /etc/modprobe.d; echo "install dccp $DATA/m.sh" > /etc/modprobe.d/dccp.conf""",
         check=r"""grep -q m.sh /etc/modprobe.d/dccp.conf""",
         harm="any local user opening a DCCP socket makes the kernel's modprobe run the app user's script as root"),
    dict(id="M11-rc-local-runs-app-code", group="M",
         inject=r"""printf '#!/bin/sh\n%s/current/venv/bin/python -m yourapplication.maintenance || true\nexit 0\n' $APP > /etc/rc.local; chmod 0755 /etc/rc.local""",
         check=r"""[ -x /etc/rc.local ]""",
         harm="root runs the deploy login's code at every boot (systemd's rc-local.service)"),
    dict(id="M12-ld-so-conf-d-app-dir", group="M",
         inject=r"""mkdir -p $DATA/lib; chown $APPU $DATA/lib; echo "$DATA/lib" > /etc/ld.so.conf.d/zz-app.conf; ldconfig""",
         check=r"""ldconfig -v 2>/dev/null | grep -q "$DATA/lib" """,
         harm="every program (root's too) loads a library the app user drops there ahead of the system's"),

    # ---------------------------------------------------------------- grants root
    dict(id="G1-app-group-sudo-all", group="G",
         inject=r"""printf '%%%s ALL=(ALL) NOPASSWD: ALL\n' $APPU > /etc/sudoers.d/90-web; chmod 0440 /etc/sudoers.d/90-web""",
         check=r"""runuser -u $APPU -- sudo -n id -u 2>/dev/null | grep -qx 0""",
         harm="the app user (any hole in the app) is root"),
    dict(id="G2-old-style-includedir", group="G",
         inject=r"""mkdir -p /etc/sudoers.local; printf '%s ALL=(root) NOPASSWD: /usr/bin/find\n' $APPU > /etc/sudoers.local/web; chmod 0440 /etc/sudoers.local/web; echo '#includedir /etc/sudoers.local' >> /etc/sudoers""",
         check=r"""runuser -u $APPU -- sudo -n -l 2>/dev/null | grep -q /usr/bin/find""",
         harm="the app user runs find as root (find -exec: a root shell)"),
    dict(id="G3-setuid-python-in-opt", group="G",
         inject=r"""mkdir -p /opt/tools; cp /usr/bin/$PYV /opt/tools/pyrun; chmod 4755 /opt/tools/pyrun""",
         check=r"""[ -u /opt/tools/pyrun ]""",
         harm="any local user (the app) runs python with root's euid: root"),
    dict(id="G4-capability-tar-in-usr-local", group="G",
         inject=r"""(command -v setcap >/dev/null || (apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y libcap2-bin) >/dev/null 2>&1); cp /usr/bin/tar /usr/local/bin/backup-tar; setcap cap_dac_read_search+ep /usr/local/bin/backup-tar""",
         check=r"""getcap /usr/local/bin/backup-tar | grep -q dac_read_search""",
         harm="any local user reads every file (shadow, keys, configs) through this tar"),
    dict(id="G5-su-pam-localuser-sufficient", group="G",
         inject=r"""sed -i '0,/^auth/s//auth       sufficient pam_localuser.so\nauth/' /etc/pam.d/su""",
         check=r"""runuser -u $APPU -- su -c 'id -u' root </dev/null 2>/dev/null | grep -qx 0""",
         harm="any local user, the app's code too, su's to root with no password"),
    dict(id="G6-root-crontab-runs-flask-command", group="G",
         inject=r"""(command -v crontab >/dev/null || (apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y cron) >/dev/null 2>&1); (crontab -l 2>/dev/null || true; echo "17 3 * * * cd $APP/current && ./venv/bin/python -c 'import yourapplication' >/dev/null 2>&1") | crontab -""",
         check=r"""crontab -l | grep -q yourapplication""",
         harm="root runs the deploy login's code nightly"),
    dict(id="G7-sshd-authorizedkeyscommand-as-root", group="G",
         inject=r"""appscript $DATA/keys.sh; mkdir -p /etc/ssh/sshd_config.d; printf 'AuthorizedKeysCommand %s/keys.sh %%u\nAuthorizedKeysCommandUser root\n' $DATA >> /etc/ssh/sshd_config""",
         check=r"""sshd -T 2>/dev/null | grep -q "authorizedkeyscommand $DATA/keys.sh" """,
         harm="sshd runs the app user's script as root at every login attempt, and it may hand out keys for any login"),

    # ---------------------------------------------------------------- loads code into the app
    dict(id="L1-python-home-system-site-and-pth", group="L",
         inject=r"""sed -i 's/^include-system-site-packages = .*/include-system-site-packages = true/' /var/lib/deploytests/python/pyvenv.cfg; mkdir -p /usr/local/lib/$PYV/dist-packages; echo 'import os; os.environ.setdefault("OPS_HOOK", "1")' > /usr/local/lib/$PYV/dist-packages/zz_ops.pth; touch $APP/application.wsgi; sleep 1; get""",
         check=r"""grep -q 'include-system-site-packages = true' /var/lib/deploytests/python/pyvenv.cfg""",
         harm="the daemons load the system's and /usr/local's site-packages ahead of the release's: code not in the artifact"),
    dict(id="L2-stdlib-dir-shadows-a-dependency", group="L",
         inject=r"""cp -r $SP/markupsafe /usr/lib/$PYV/markupsafe; echo '# patched locally' >> /usr/lib/$PYV/markupsafe/__init__.py; touch $APP/application.wsgi""",
         check=r"""[ -f /usr/lib/$PYV/markupsafe/__init__.py ]""",
         harm="the stdlib dir comes before site-packages: the daemons import this copy instead of the artifact's"),

    # ---------------------------------------------------------------- serves something extra
    dict(id="X1-root-http-server-on-loopback", group="X",
         inject=r"""cd / && setsid nohup python3 -m http.server 8001 --bind 127.0.0.1 --directory / >/dev/null 2>&1 < /dev/null & sleep 1""",
         check=r"""python3 -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:8001/etc/shadow').read()" """,
         harm="every local user and the app (SSRF) reads any file as root: /etc/shadow, the keys, the config"),
    dict(id="X2-userdir-serves-homes", group="X",
         inject=r"""a2enmod -q userdir >/dev/null; h=$(getent passwd $DEPLOY | cut -d: -f6); mkdir -p $h/public_html; cp $CFG $h/public_html/ 2>/dev/null || true; chown -R $DEPLOY $h/public_html; chmod 755 $h $h/public_html; chmod 644 $h/public_html/*; reload""",
         check=r"""apache2ctl -M 2>/dev/null | grep -q userdir_module""",
         harm="Apache serves every local user's ~/public_html (here the deploy login's: a copy of the config)"),
]

CONTROLS = [
    dict(id="C1-apt-install-a-tool", inject=r"""(apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y less) >/dev/null 2>&1""",
         check=r"""dpkg -s less >/dev/null 2>&1"""),
    dict(id="C2-admin-graceful-reload", inject=r"""apache2ctl graceful; sleep 2""",
         check=r"""pgrep -x apache2 >/dev/null"""),
    dict(id="C3-new-ordinary-login", inject=r"""useradd -m -s /bin/bash alice; mkdir -p /home/alice/.ssh; ssh-keygen -q -t ed25519 -N '' -f /tmp/alice_key >/dev/null; cp /tmp/alice_key.pub /home/alice/.ssh/authorized_keys; chown -R alice:alice /home/alice/.ssh; chmod 700 /home/alice/.ssh; chmod 600 /home/alice/.ssh/authorized_keys; rm -f /tmp/alice_key /tmp/alice_key.pub""",
         check=r"""id alice >/dev/null"""),
    dict(id="C4-motd-and-timezone", inject=r"""echo 'web server: ask #ops before changing anything' > /etc/motd; ln -sf /usr/share/zoneinfo/Europe/Berlin /etc/localtime; echo Europe/Berlin > /etc/timezone""",
         check=r"""grep -q Berlin /etc/timezone"""),
    dict(id="C5-app-writes-data-and-deploy-touches-wsgi", inject=r"""asapp "mkdir -p $DATA/uploads && echo hi > $DATA/uploads/a.txt"; asdeploy "touch $APP/application.wsgi"; sleep 1; get""",
         check=r"""[ -f $DATA/uploads/a.txt ]"""),
]

# ---------------------------------------------------------------- written AFTER the blind run (not blind):
# other members of the classes the blind run found missed, to try the fixes on real containers
MEMBERS = [
    dict(id="R2b-live-release-pyvenv-system-site", group="R",
         inject=r"""sed -i 's/^include-system-site-packages = .*/include-system-site-packages = true/' $LIVE/venv/pyvenv.cfg""",
         check=r"""grep -q 'include-system-site-packages = true' $LIVE/venv/pyvenv.cfg""",
         harm="fab run and the next rollback to this release load the system's site-packages"),
    dict(id="R2c-previous-release-pyvenv-home-elsewhere", group="R",
         inject=r"""mkdir -p /opt/py/bin; sed -i 's#^home = .*#home = /opt/py/bin#' $PREV/venv/pyvenv.cfg""",
         check=r"""grep -q '^home = /opt/py/bin' $PREV/venv/pyvenv.cfg""",
         harm="the rollback target's python takes its standard library from /opt/py"),
    dict(id="S1b-config-copy-in-var-local", group="S",
         inject=r"""cp $CFG /var/local/app-settings.cfg; chmod 0644 /var/local/app-settings.cfg""",
         check=r"""cmp -s $CFG /var/local/app-settings.cfg && [ "$(stat -c %a /var/local/app-settings.cfg)" = 644 ]""",
         harm="the app's secrets readable by every local user"),
    dict(id="S1c-whole-tree-copied-beside-it", group="S",
         inject=r"""cp -r $APP /var/www/yourapplication.old; chmod -R o+rX /var/www/yourapplication.old""",
         check=r"""f=/var/www/yourapplication.old/shared/$(basename $CFG); cmp -s $CFG $f && [ -r $f ] && stat -c %a $f | grep -q '4$'""",
         harm="a hand backup of the app's tree with its config readable by every local user"),
]
