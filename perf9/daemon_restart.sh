#!/bin/sh
# CPU of one mod_wsgi daemon restart (the touch a deploy makes), on a scenario snapshot's container:
#   docker run -d --name perf9-probe -p 127.0.0.1::80 deploytests/lab-snapshot:<tag>
#   docker cp perf9/daemon_restart.sh perf9-probe:/tmp/dr.sh && docker exec perf9-probe sh /tmp/dr.sh
# Apache's parent reaps the daemons a touch makes exit: its cutime grows by their whole CPU; minus what they had
# used before the touch (their utime+stime then) is what their exit (Python's finalization) cost. The new daemons'
# own CPU after the restart is their import of the app.
ppid=$(cat /var/run/apache2/apache2.pid)
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
child() { awk '{print $16+$17}' /proc/$1/stat; }
curl -s -o /dev/null -H "Host: localhost" http://127.0.0.1/health; sleep 1
for round in 1 2 3 4 5; do
  old=$(pgrep -u yourapplication -f wsgi:); before=0
  for p in $old; do before=$((before + $(cpu $p))); done
  reaped=$(child $ppid)
  touch /var/www/yourapplication/application.wsgi
  curl -s -o /dev/null -H "Host: localhost" --max-time 20 http://127.0.0.1/health; sleep 3
  new=0; for p in $(pgrep -u yourapplication -f wsgi:); do new=$((new + $(cpu $p))); done
  n=$(echo $old | wc -w)
  echo "round $round: $n daemon(s) exited: used $before ticks before the touch, $(( $(child $ppid) - reaped - before )) ticks in their exit; the new ones $new ticks (start + import + 1-2 requests) (ticks of 10 ms)"
done
