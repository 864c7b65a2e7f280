#!/usr/bin/env bash
# Issue 19's live check: `ingest --live lo` while bench/loopback_replay.cc replays simulated scanner traffic
# on loopback at a bit rate; prints what was sent, libpcap's counters (drops included) and the ingest summary.
# Needs root (raw sockets, capture on lo). Measures, asserts nothing.
# usage: bash bench/live_loopback.sh [MBIT_PER_S] [SECONDS] [PACKETS]   (default 1000 10 300000; build first)
set -euo pipefail
cd "$(dirname "$0")/.."
MBIT=${1:-1000}
SECS=${2:-10}
N=${3:-300000}
sg=${SG:-./build/scannergrouper}
replay=./build/bench/loopback_replay
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$sg simulate --scenario scale --packets "$N" --seed 7 --out "$tmp/scale.pcap" >/dev/null 2>&1
# Only the replayed traffic (sensors are in 192.0.2.0/24): other programs' loopback traffic stays out, and
# each frame once (loopback shows a sent frame twice, outgoing and incoming; the kernel filter keeps one).
$sg ingest --db "$tmp/live.db" --live lo --bpf 'inbound and net 192.0.2.0/24' 2>"$tmp/ingest.err" &
pid=$!
sleep 2  # the capture is open
/usr/bin/time -f "sender: %U user %S sys" $replay "$tmp/scale.pcap" lo "$MBIT" "$SECS"
sleep 2  # what is queued is read
kill -INT $pid
wait $pid || true
grep -v '^progress' "$tmp/ingest.err"
echo "stored: $(sqlite3 "$tmp/live.db" 'SELECT count(*) FROM probes') probes"
