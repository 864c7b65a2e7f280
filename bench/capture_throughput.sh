#!/usr/bin/env bash
# Capture throughput benchmark (measures, asserts nothing):
#   packets/s of `extract` and of `ingest` on one core, peak memory, and the same extraction by tshark on
#   the same capture in the same run, as a ratio; then peak memory of `extract` at 1/4, 1/2 and all of the
#   packets, to show memory stays flat as the capture grows.
# usage: bash bench/capture_throughput.sh [PACKETS]        (default 2000000; build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000000}
sg=./build/scannergrouper
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# wall seconds and peak RSS (KiB) of a command pinned to one core
measure() { /usr/bin/time -f "%e %M" -o "$tmp/time" taskset -c 0 "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }; cat "$tmp/time"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
read -r sim_s _ < <(measure $sg simulate --scenario scale --packets "$N" --seed 7 --out "$tmp/scale.pcap")
size=$(stat -c %s "$tmp/scale.pcap")
echo "capture: $N packets, $((size / 1048576)) MiB, written in ${sim_s} s ($(rate "$N" "$sim_s") packets/s)"

read -r ex_s ex_kb < <(measure $sg extract -q "$tmp/scale.pcap")
probes=$($sg extract -q "$tmp/scale.pcap" | wc -l)
read -r in_s in_kb < <(measure $sg ingest -q --db "$tmp/bench.db" "$tmp/scale.pcap")
read -r ts_s ts_kb < <(measure tshark -n -r "$tmp/scale.pcap" \
  -Y 'http.request || tls.handshake.type == 1 || (dns && dns.flags.response == 0) || ssh.protocol' \
  -T fields -e frame.time_epoch -e ip.src -e ipv6.src -e tcp.srcport -e udp.srcport -e http.request.method \
  -e http.request.uri -e http.user_agent -e http.host -e tls.handshake.extensions_server_name \
  -e tls.handshake.ja3 -e dns.qry.name -e dns.qry.type -e ssh.protocol)

printf "\n%-10s %10s %14s %12s\n" tool seconds packets/s "peak MiB"
printf "%-10s %10s %14s %12s\n" extract "$ex_s" "$(rate "$N" "$ex_s")" "$((ex_kb / 1024))"
printf "%-10s %10s %14s %12s\n" ingest "$in_s" "$(rate "$N" "$in_s")" "$((in_kb / 1024))"
printf "%-10s %10s %14s %12s\n" tshark "$ts_s" "$(rate "$N" "$ts_s")" "$((ts_kb / 1024))"
echo "probes extracted: $probes"
awk -v a="$ts_s" -v b="$ex_s" -v c="$in_s" 'BEGIN { printf "speed-up over tshark: extract %.1fx, ingest %.1fx\n", a / b, a / c }'

echo
echo "memory as the capture grows (extract, peak MiB):"
for frac in 4 2 1; do
  n=$((N / frac))
  $sg simulate --scenario scale --packets "$n" --seed 7 --out "$tmp/part.pcap" >/dev/null 2>&1
  read -r s kb < <(measure $sg extract -q "$tmp/part.pcap")
  echo "  $n packets: $((kb / 1024)) MiB, $(rate "$n" "$s") packets/s"
done
