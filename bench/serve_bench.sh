#!/usr/bin/env bash
# Lookups per second of `scannergrouper serve` on a scanner database: starts the server, asks
# GET /v1/ip/{ip} for the database's scanner ips over 1, 2 and 4 keep-alive connections, and prints for each
# run the CPU seconds the server and the client used and the CPU per lookup ((server + client) / lookups,
# the figure that does not depend on what else runs on the machine), the ceiling of HTTP alone (GET /, the
# page: no database) over 4 connections, and the server's peak memory. Client and server share the
# machine's cores.
#   bash bench/serve_bench.sh DB [SECONDS]      e.g. DB=build/sd25-one-time/sd25.db
# Env: SG (the binary), THREADS (server threads, default 8), SERVE_ARGS (more `serve` options, e.g.
# "--cache-ips 0": every answer built from the database), CLIENT: wrk (the standard HTTP load tool, one
# thread, bench/serve_wrk.lua; the default when `wrk` is installed: scripts/install-deps.sh --bench) or
# serve_load (bench/serve_load.cc: a thread per connection, cpp-httplib's client; it costs more CPU per
# request, which the server then lacks on a small machine), or both (each run twice, wrk first).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:?usage: serve_bench.sh DB [SECONDS]}
seconds=${2:-10}
sg=${SG:-build/scannergrouper}
load=build/bench/serve_load
if [ -z "${CLIENT:-}" ]; then
  if command -v wrk >/dev/null; then CLIENT=wrk; else CLIENT=serve_load; fi
fi
case "$CLIENT" in
  wrk) clients=(wrk) ;;
  serve_load) clients=(serve_load) ;;
  both) clients=(wrk serve_load) ;;
  *) echo "serve_bench: CLIENT is wrk, serve_load or both" >&2; exit 2 ;;
esac
ips=$(mktemp)
log=$(mktemp)
out=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; rm -f "$ips" "$log" "$out"' EXIT
sqlite3 -readonly "$db" "SELECT DISTINCT ip FROM scanners ORDER BY random()" >"$ips"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086
"$sg" serve --db "$db" --listen "127.0.0.1:$port" --threads "${THREADS:-8}" ${SERVE_ARGS:-} 2>"$log" &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/stats" >/dev/null && break; sleep 0.2; done
echo "database $db: $(wc -l <"$ips") scanner ips; server threads ${THREADS:-8} ${SERVE_ARGS:-}; $(nproc) cores;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
# An older layout (serve reads it without migrating it, so without the newer indexes) changes the figures.
grep '^note:' "$log" || true
ticks=$(getconf CLK_TCK)
server_cpu() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat"; }

# One load run over CONNECTIONS keep-alive connections; prints "requests N  R req/s  latency us p50 p90 p99"
# and fails on any answer but 200.
load_wrk() {  # CONNECTIONS [PATH]
  local path=${2:-}
  if [ -n "$path" ]; then
    wrk -t 1 -c "$1" -d "${seconds}s" --latency "http://127.0.0.1:$port$path" >"$out"
  else
    wrk -t 1 -c "$1" -d "${seconds}s" --latency -s bench/serve_wrk.lua "http://127.0.0.1:$port" -- "$ips" >"$out"
  fi
  # wrk prints latencies with units (us, ms, s) and counts every status but 2xx/3xx and socket errors.
  awk -v c="$1" '
    function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1e6; return v }
    $1 == "50%" { p50 = us($2) } $1 == "90%" { p90 = us($2) } $1 == "99%" { p99 = us($2) }
    / requests in / { n = $1 } /^Requests\/sec:/ { r = $2 }
    /Non-2xx|Socket errors/ { bad = bad " " $0 }
    END { printf "connections %d  requests %d  %.0f req/s  latency us p50 %.0f p90 %.0f p99 %.0f%s", c, n, r, p50, p90, p99, bad
          exit bad != "" }' "$out"
}
load_serve_load() {  # CONNECTIONS [PATH]
  "$load" 127.0.0.1 "$port" "$ips" "$1" "$seconds" ${2:+"$2"} | tee "$out" | tr -d '\n' |
    sed 's/^threads /connections /; s/  [0-9.]* KiB\/answer//'
}
run() {  # CLIENT CONNECTIONS [PATH]: one load run, then the CPU each side used
  local client=$1 before after line requests cpu_s user sys status=0
  shift
  before=$(server_cpu)
  TIMEFORMAT="%U %S"
  { time "load_$client" "$@" >"$out.line"; } 2>"$out.time" || status=$?
  after=$(server_cpu)
  line=$(cat "$out.line")
  read -r user sys < <(tail -1 "$out.time")
  requests=$(sed -n 's/.*requests \([0-9]*\).*/\1/p' <<<"$line")
  cpu_s=$(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.2f", a - b}')
  echo "$line  server cpu $cpu_s s  client cpu $user user + $sys sys s " \
    "cpu per request $(awk -v s="$cpu_s" -v u="$user" -v y="$sys" -v n="$requests" \
      'BEGIN {printf "%.0f", (n > 0 ? (s + u + y) / n * 1e6 : 0)}') us"
  rm -f "$out.line" "$out.time"
  return "$status"
}
for client in "${clients[@]}"; do
  if [ "$client" = wrk ]; then
    echo "client: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), one thread, bench/serve_wrk.lua"
  else
    echo "client: bench/serve_load.cc, a thread per connection"
  fi
  for c in 1 2 4; do run "$client" "$c"; done
  echo "HTTP alone (GET /, the page, no database):"
  run "$client" 4 /
done
echo "server peak memory: $(grep VmHWM /proc/$pid/status | awk '{print $2, $3}')"
