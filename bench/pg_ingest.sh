#!/usr/bin/env bash
# Ingest rate into PostgreSQL from 1, 2 and 4 concurrent sensor processes beside SQLite's, on the same
# captures, and identify's time on both backends (bench/RESULTS.md, "PostgreSQL backend").
#   bash bench/pg_ingest.sh [PACKETS_TOTAL] [DIR]
# PACKETS_TOTAL (default 2000000) are simulated as 4 sensor captures (`simulate --scenario scale`, one seed
# each); 1 process ingests all four, 2 processes two each, 4 processes one each, into a fresh database
# every time. The PostgreSQL server is a throwaway one (initdb in DIR, Unix socket only, fsync on: the
# default an operator runs), as in the tests; as root it runs as `nobody`.
set -euo pipefail
cd "$(dirname "$0")/.."
SG=${SG:-./build/scannergrouper}
N=${1:-2000000}
DIR=${2:-$(mktemp -d /tmp/sgpgbench.XXXXXX)}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$DIR/parts"
AS=""
if [ "$(id -u)" -eq 0 ]; then chown nobody "$DIR"; AS="runuser -u nobody --"; fi

for s in 1 2 3 4; do
  [ -f "$DIR/parts/sensor$s.pcap" ] || $SG simulate --scenario scale --packets $((N / 4)) --seed $s --out "$DIR/parts/sensor$s.pcap" >/dev/null
done
if [ ! -d "$DIR/data" ]; then
  $AS "$BIN/initdb" -D "$DIR/data" -U sg --auth=trust --no-locale -E UTF8 >/dev/null
fi
$AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -o "-k $DIR -c listen_addresses='' -p 5432" start >/dev/null
trap '$AS "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null' EXIT
psql() { "$BIN/psql" -X -q -A -t -h "$DIR" -p 5432 -U sg "$@"; }

# ingest_with BACKEND PROCS: wall seconds for PROCS processes sharing the 4 parts, and the probes stored.
ingest_with() {
  local backend=$1 procs=$2 db
  if [ "$backend" = sqlite ]; then
    db="$DIR/bench.db"; rm -f "$db" "$db"-wal "$db"-shm
  else
    psql -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
    db="postgresql://sg@/bench?host=$DIR&port=5432"
  fi
  local start end pids=()
  start=$(date +%s.%N)
  for p in $(seq 0 $((procs - 1))); do
    local files=()
    for s in 1 2 3 4; do [ $(((s - 1) % procs)) -eq "$p" ] && files+=("$DIR/parts/sensor$s.pcap"); done
    $SG ingest -q --db "$db" --sensor "sensor$p" "${files[@]}" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  end=$(date +%s.%N)
  local probes
  if [ "$backend" = sqlite ]; then probes=$(sqlite3 "$db" 'SELECT count(*) FROM probes');
  else probes=$(psql -d bench -c 'SELECT count(*) FROM probes'); fi
  awk -v b="$backend" -v p="$procs" -v s="$start" -v e="$end" -v n="$probes" -v pk="$N" \
    'BEGIN { t = e - s; printf "%-10s %5d %9.2f %12d %14.0f %12.0f\n", b, p, t, n, pk / t, n / t }'
}

echo "packets $N in 4 sensor captures; $(nproc) cores"
printf "%-10s %5s %9s %12s %14s %12s\n" backend procs seconds probes packets/s probes/s
for procs in 1 2 4; do
  ingest_with sqlite $procs
  ingest_with postgresql $procs
done
