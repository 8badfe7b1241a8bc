#!/usr/bin/env bash
# Issue 11's reproduction of the daemon's double delivery, run N times (default 20), one emulator port
# per run. Prints one Counter per run and a total of duplicated titles. Not part of the pytest suite
# (it takes about a minute per run); tests/daemon/test_exactly_once.py is the seeded test that runs in it.
#
# Usage: tests/daemon/repro_issue11.sh [RUNS] [FIRST_PORT]   (uses the upkeep-mirror on PATH)
set -u
RUNS=${1:-20}; BASE_PORT=${2:-18932}
dups_total=0
for i in $(seq 1 "$RUNS"); do
  D=$(mktemp -d); P=$((BASE_PORT + i))
  export UPKEEP_EMAIL=demo@upkeep.local UPKEEP_PASSWORD=demo XDG_CONFIG_HOME=$D/xdg
  upkeep-mirror emulator --port $P --seed 3 --work-orders 300 >$D/emu.log 2>&1 & EMU=$!
  until curl -sf http://127.0.0.1:$P/_emulator/info >/dev/null; do sleep 0.5; done   # (issue: sleep 6)
  upkeep-mirror sync --db $D/m.db --base-url http://127.0.0.1:$P >/dev/null
  printf '[run]\npull_every = 3\noutbox_every = 0.5\nprobe_min = 0.5\nprobe_max = 2\n' >$D/cfg.toml
  upkeep-mirror run --db $D/m.db --base-url http://127.0.0.1:$P --config $D/cfg.toml >$D/daemon.log 2>&1 & RUN=$!; sleep 5
  for c in 1 2 3; do
    curl -s -X POST http://127.0.0.1:$P/_emulator/offline >/dev/null
    upkeep-mirror wo create --db $D/m.db --title "repro-$c" >/dev/null
    until upkeep-mirror status --db $D/m.db | grep -q OFFLINE; do sleep 1; done
    curl -s -X POST http://127.0.0.1:$P/_emulator/online >/dev/null; sleep 12
  done
  kill -TERM $RUN; wait $RUN
  counts=$(curl -s http://127.0.0.1:$P/_emulator/dump/work-orders | python3 -c 'import json,sys,collections
c=collections.Counter(w["title"] for w in json.load(sys.stdin)["results"] if w["title"].startswith("repro-"))
print(dict(sorted(c.items())), sum(n - 1 for n in c.values()), sum(c.values()))')
  kill $EMU; wait $EMU 2>/dev/null
  read -r -a parts <<<"$counts"
  dup=${parts[-2]}; dups_total=$((dups_total + dup))
  echo "run $i port $P: ${counts% * *} duplicates=$dup  (dir $D)"
done
echo "total duplicates over $RUNS runs: $dups_total"
