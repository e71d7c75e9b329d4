#!/bin/sh
# attackpin14's cost probe (not a test): how much CPU the login collector's ran() step can be made to burn per
# probe by a less trusted login, on a Debian 12 container. usage: sh attackpin14/cost.sh OLD_COLLECTOR NEW_COLLECTOR
set -e
id=$(docker run -d --label attackpin14=cost "${IMAGE:-deploytests/debian-apache-wsgi:c740b65fb489}" sleep 900)
echo "container ${id%????????????????????????????????????????????????????}"
docker cp "$1" "$id:/tmp/old_collect_login.py"
docker cp "$2" "$id:/tmp/new_collect_login.py"
docker exec "$id" sh -ec '
useradd -m attacker
chmod 644 /tmp/*_collect_login.py
su attacker -s /bin/bash -c "cd ~ && for i in 1 2 3 4 5; do head -c 67108864 /dev/urandom > big\$i; done
  for i in 1 2 3 4 5; do (exec -a \$HOME/big\$i sleep 900 &) ; done; sleep 1"
ps -eo pid,user,args | grep big | grep -v grep
for which in old new; do
  cp /tmp/${which}_collect_login.py /tmp/collect_login.py
  for run in 1 2 3; do
    su attacker -s /bin/sh -c "cd /tmp && timeout 60 python3 -c \"import resource, collect_login as C
out = {\\\"files\\\": {}, \\\"dirs\\\": {}, \\\"errors\\\": {}}
C.programs(out); r0 = resource.getrusage(resource.RUSAGE_SELF); C.ran(out); r = resource.getrusage(resource.RUSAGE_SELF)
print(\\\"$which: ran() %d files hashed, %d MiB, %.3f s CPU, errors %d\\\" % (len(out[\\\"programs\\\"]), sum(__import__(\\\"os\\\").stat(p).st_size for p in out[\\\"programs\\\"]) >> 20, r.ru_utime + r.ru_stime - r0.ru_utime - r0.ru_stime, len(out[\\\"errors\\\"])))\""
  done
done'
docker rm -f "$id" >/dev/null && echo "removed ${id%????????????????????????????????????????????????????}"
