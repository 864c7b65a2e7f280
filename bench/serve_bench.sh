#!/usr/bin/env bash
# Lookups per second of `scannergrouper serve` on a scanner database: starts the server, asks
# GET /v1/ip/{ip} for the database's scanner ips from 1, 2 and 4 client threads (bench/serve_load.cc),
# and prints the CPU seconds the server and the client used in each run, the ceiling of HTTP alone (GET /,
# the page: no database) from 4 threads, and the server's peak memory. Client and server share the
# machine's cores.
#   bash bench/serve_bench.sh DB [SECONDS]      e.g. DB=build/sd25-one-time/sd25.db
# Env: SG (the binary), THREADS (server threads, default 8), SERVE_ARGS (more `serve` options, e.g.
# "--cache-ips 0": every answer built from the database).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:?usage: serve_bench.sh DB [SECONDS]}
seconds=${2:-10}
sg=${SG:-build/scannergrouper}
load=build/bench/serve_load
ips=$(mktemp)
log=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; rm -f "$ips" "$log"' EXIT
sqlite3 -readonly "$db" "SELECT DISTINCT ip FROM scanners ORDER BY random()" >"$ips"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086
"$sg" serve --db "$db" --listen "127.0.0.1:$port" --threads "${THREADS:-8}" ${SERVE_ARGS:-} 2>"$log" &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/stats" >/dev/null && break; sleep 0.2; done
echo "database $db: $(wc -l <"$ips") scanner ips; server threads ${THREADS:-8} ${SERVE_ARGS:-}; $(nproc) cores"
ticks=$(getconf CLK_TCK)
server_cpu() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat"; }
run() {  # THREADS [PATH]: one load run, then the CPU seconds each side used
  local before after
  before=$(server_cpu)
  TIMEFORMAT="client cpu %U user + %S sys s"
  { time "$load" 127.0.0.1 "$port" "$ips" "$@" 2>&1; } 2>&1 | tr '\n' ' '
  after=$(server_cpu)
  echo " server cpu $(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.2f", a - b}') s"
}
for t in 1 2 4; do run "$t" "$seconds"; done
echo "HTTP alone (GET /, the page, no database):"
run 4 "$seconds" /
echo "server peak memory: $(grep VmHWM /proc/$pid/status | awk '{print $2, $3}')"
