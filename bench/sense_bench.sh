#!/usr/bin/env bash
# `sense` figures for bench/RESULTS.md: HTTP sessions answered per second (one connection each, the probe
# recorded before the answer) with and without tags, the sensor's memory, and 10,000 connections held open
# at once (memory, descriptors, and whether a normal client is still answered).
#   bash bench/sense_bench.sh [SECONDS] [THREADS]      (from the repository root, after scripts/build.sh)
set -euo pipefail
secs=${1:-10}
threads=${2:-16}
bin=$(realpath build/scannergrouper)
load=$(realpath build/bench/sense_load)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
chmod 0755 "$work"
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$bin" labels keygen --out "$work/key"

start() {  # start NAME ARGS...
  local name=$1
  shift
  "$bin" sense --db "$work/$name.db" --bind 127.0.0.1 --http 0 --rate 0 --max-connections 20000 "$@" \
    >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  for _ in $(seq 100); do grep -qs '^listening' "$work/$name.out" && break; sleep 0.1; done
  port=$(awk '$1=="listening" {n=split($4,a,":"); print a[n]; exit}' "$work/$name.out")
}
stop() {
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"
  wait "$pid"
  pid=
}

echo "machine: $(nproc) cores, $(uname -r); $threads client threads, $secs s each"
for mode in untagged tagged; do
  args=()
  [ "$mode" = tagged ] && args=(--tag-key "$work/key")
  start "$mode" "${args[@]}"
  out=$("$load" "$port" "$threads" "$secs")
  stop
  stored=$(sqlite3 "$work/$mode.db" "SELECT count(*) FROM probes")
  echo "$mode: $out; stored $stored probes; sensor peak RSS $((hwm / 1024)) MiB"
done

# 10,000 connections at once, each a partial request (what a slowloris holds).
start held --read-timeout 120 --idle-timeout 120 --lifetime 120
python3 - "$pid" "$port" <<'PY'
import os, socket, subprocess, sys, time
pid, port = int(sys.argv[1]), int(sys.argv[2])
def status(key):
    for l in open(f"/proc/{pid}/status"):
        if l.startswith(key): return int(l.split()[1])
base = status("VmRSS:")
socks = []
t0 = time.time()
for i in range(10000):
    s = socket.socket()
    s.bind((f"127.0.{1 + i // 250}.{2 + i % 250}", 0))
    s.connect(("127.0.0.1", port))
    s.send(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    socks.append(s)
time.sleep(2)
fds = len(os.listdir(f"/proc/{pid}/fd"))
rss = status("VmRSS:")
t = time.time()
code = subprocess.run(["curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", f"http://127.0.0.1:{port}/"],
                      capture_output=True, text=True).stdout
print(f"held: 10000 connections open in {t - t0:.1f} s; sensor fds {fds}, RSS {rss // 1024} MiB "
      f"(idle {base // 1024} MiB, {(rss - base) * 1024 // 10000} bytes per connection); "
      f"curl meanwhile: {code} in {time.time() - t:.2f} s")
for s in socks: s.close()
PY
stop
echo "held: sensor peak RSS $((hwm / 1024)) MiB"
