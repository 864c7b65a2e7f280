#!/usr/bin/env bash
# Lookups per second of `scannergrouper serve` on a scanner database: starts the server, asks
# GET /v1/ip/{ip} for the database's scanner ips from 1, 2 and 4 client threads (bench/serve_load.cc),
# and prints the server's peak memory. Client and server share the machine's cores.
#   bash bench/serve_bench.sh DB [SECONDS]      e.g. DB=build/sd25-one-time/sd25.db
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:?usage: serve_bench.sh DB [SECONDS]}
seconds=${2:-10}
sg=build/scannergrouper
load=build/bench/serve_load
ips=$(mktemp)
log=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; rm -f "$ips" "$log"' EXIT
sqlite3 -readonly "$db" "SELECT DISTINCT ip FROM scanners ORDER BY random()" >"$ips"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$sg" serve --db "$db" --listen "127.0.0.1:$port" --threads "${THREADS:-8}" 2>"$log" &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/stats" >/dev/null && break; sleep 0.2; done
echo "database $db: $(wc -l <"$ips") scanner ips; server threads ${THREADS:-8}; $(nproc) cores"
for t in 1 2 4; do "$load" 127.0.0.1 "$port" "$ips" "$t" "$seconds"; done
echo "server peak memory: $(grep VmHWM /proc/$pid/status | awk '{print $2, $3}')"
