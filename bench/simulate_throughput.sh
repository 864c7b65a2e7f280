#!/usr/bin/env bash
# Simulator benchmark (measures; the replay comparison also checks):
#   1. a PACKETS-packet `scale` capture written, then ingested: packets/s of both, peak memory;
#   2. the SelfDeploy-25 skeleton replayed (one capture per day), ingested, and compared with the skeleton per
#      organisation and service (probes and distinct scanners): tools/replay_compare.py exits 1 on any difference.
# usage: bash bench/simulate_throughput.sh [PACKETS]   (default 10000000; build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
SKELETON=${SKELETON:-../shared/data/selfdeploy/sd25_probes.tsv.gz}
sg=./build/scannergrouper
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { /usr/bin/time -f "%e %M" -o "$tmp/time" taskset -c 0 "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }; cat "$tmp/time"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== scale: $N packets written, then ingested (one core each)"
read -r sim_s sim_kb < <(measure $sg simulate --scenario scale --packets "$N" --seed 7 --out "$tmp/scale.pcap")
size=$(stat -c %s "$tmp/scale.pcap")
read -r in_s in_kb < <(measure $sg ingest -q --db "$tmp/scale.db" --sensor-net 192.0.2.0/24 --sensor-net 2001:db8::/64 "$tmp/scale.pcap")
probes=$(sqlite3 "$tmp/scale.db" "SELECT count(*) FROM probes" 2>/dev/null || echo "?")
printf "%-9s %9s %13s %9s\n" step seconds packets/s "peak MiB"
printf "%-9s %9s %13s %9s\n" simulate "$sim_s" "$(rate "$N" "$sim_s")" "$((sim_kb / 1024))"
printf "%-9s %9s %13s %9s\n" ingest "$in_s" "$(rate "$N" "$in_s")" "$((in_kb / 1024))"
echo "capture: $((size / 1048576)) MiB; probes stored: $probes"
rm -f "$tmp/scale.pcap" "$tmp"/scale.db*

if [ ! -f "$SKELETON" ]; then echo "no $SKELETON: replay skipped"; exit 0; fi
echo
echo "== replay of $SKELETON"
read -r rs_s rs_kb < <(measure $sg simulate --scenario replay --skeleton "$SKELETON" --out "$tmp/replay/")
pk=$(sed -n 's/^wrote \([0-9]*\) packets.*/\1/p' "$tmp/err")
read -r ri_s ri_kb < <(measure $sg ingest -q --db "$tmp/replay.db" --sensor-net 192.0.2.0/28 "$tmp/replay/")
echo "simulate: $rs_s s ($(ls "$tmp"/replay/*.pcap | wc -l) daily captures, $pk packets, $(rate "$pk" "$rs_s") packets/s, peak $((rs_kb / 1024)) MiB)"
echo "ingest:   $ri_s s ($(rate "$pk" "$ri_s") packets/s, peak $((ri_kb / 1024)) MiB)"
python3 tools/replay_compare.py "$SKELETON" "$tmp/replay.db"
