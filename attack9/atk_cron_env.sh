#!/bin/sh
# A root cron file's environment line whose variable is not in the gate's list of loader variables: cron runs every
# later job of the file with it, as root. The admin's precondition: the deploy team maintains a tools directory
# (install -d -m 2775 -o root -g deployer /srv/tools) and the admin's job file names it in an environment line.
#   shell: SHELL=/srv/tools/jobsh   (cron runs each job's command line with $SHELL -c, as root)
#   home:  HOME=/srv/tools          (root's python3 adds ~/.local/lib/python3.X/site-packages: its .pth lines run)
#   inline: PYTHONUSERBASE=/srv/tools/.local /usr/bin/python3 -c ... on the job's command line
# The deploy login writes its program there; cron runs it as root within a minute; the read-only gate (as admin) passes.
# Usage: attack8/atk_cron_env.sh /tmp/atk8 shell|home|inline
set -eu
W=${1:-/tmp/atk8}; V=${2:-shell}; CT=$(cat $W/ct)
docker exec $CT sh -c 'install -d -m 2775 -o root -g deployer /srv/tools; rm -f /tmp/root-ran'
case $V in
shell) LINE='SHELL=/srv/tools/jobsh'; JOB='* * * * * root /usr/bin/test -d /var/backups' ;;
home) LINE='HOME=/srv/tools'; JOB='* * * * * root /usr/bin/python3 -c "import sys"' ;;
inline) LINE='MAILTO=""'; JOB='* * * * * root PYTHONUSERBASE=/srv/tools/.local /usr/bin/python3 -c "import sys"' ;;
esac
docker exec $CT sh -c "printf '%s\n%s\n' '$LINE' '$JOB' > /etc/cron.d/nightly-report; chmod 644 /etc/cron.d/nightly-report"
echo "--- root's /etc/cron.d/nightly-report:"; docker exec $CT cat /etc/cron.d/nightly-report
ssh -F $W/ssh_config deployer 'set -e
printf "#!/bin/sh\necho \"\$(date +%%T) uid=\$(id -u) via SHELL: \$*\" >> /tmp/root-ran\nexec /bin/sh \"\$@\"\n" > /srv/tools/jobsh; chmod 775 /srv/tools/jobsh
for d in /srv/tools/.local/lib/python3.11/site-packages; do mkdir -p $d; echo "import os; open(\"/tmp/root-ran\", \"a\").write(\"uid=%d via a .pth of ~/.local\\n\" % os.getuid())" > $d/zz.pth; done
ls -l /srv/tools'
echo "--- waiting for cron's next minute"; sleep $((62 - $(date +%S | sed 's/^0//')))
echo "--- /tmp/root-ran:"; docker exec $CT sh -c 'cat /tmp/root-ran 2>&1'
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed,|failed,|^  - /etc/cron" | cut -c1-330 || true
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'rm -rf /etc/cron.d/nightly-report /srv/tools /tmp/root-ran'
