#!/usr/bin/env bash
# Log input throughput (measures, asserts nothing; issue 16): records/s of `ingest` for Suricata EVE JSON and
# for Zeek logs, beside probes/s of `ingest` for the capture the logs describe, on one core, with peak memory;
# then peak memory of EVE ingest at 1/4, 1/2 and all of the records, to show memory stays flat.
# The logs are written from the capture's own probes by bench/probes_to_logs.py (one EVE event and one flow
# event per session; one Zeek entry per session).
# usage: bash bench/log_throughput.sh [PACKETS]        (default 2000000; build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000000}
sg=./build/scannergrouper
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { /usr/bin/time -f "%e %M" -o "$tmp/time" taskset -c 0 "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }; cat "$tmp/time"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
$sg simulate --scenario scale --packets "$N" --seed 7 --out "$tmp/scale.pcap" >/dev/null 2>&1
$sg extract -q "$tmp/scale.pcap" > "$tmp/probes.jsonl"
probes=$(wc -l < "$tmp/probes.jsonl")
python3 bench/probes_to_logs.py "$tmp/logs" < "$tmp/probes.jsonl"
eve_records=$(wc -l < "$tmp/logs/eve.json")
zeek_records=$(cat "$tmp"/logs/zeek/*.log | grep -vc '^#')
echo "capture: $N packets, $probes probes; EVE: $eve_records records ($(($(stat -c %s "$tmp/logs/eve.json") / 1048576)) MiB); Zeek: $zeek_records entries"

read -r pc_s pc_kb < <(measure $sg ingest -q --db "$tmp/pcap.db" "$tmp/scale.pcap")
read -r ee_s ee_kb < <(measure $sg extract -q "$tmp/logs/eve.json")
read -r ev_s ev_kb < <(measure $sg ingest -q --db "$tmp/eve.db" "$tmp/logs/eve.json")
read -r ze_s ze_kb < <(measure $sg ingest -q --db "$tmp/zeek.db" "$tmp/logs/zeek")
gzip -k "$tmp/logs/eve.json"
read -r gz_s gz_kb < <(measure $sg ingest -q --db "$tmp/evegz.db" "$tmp/logs/eve.json.gz")

pc_p=$(sqlite3 "$tmp/pcap.db" 'SELECT count(*) FROM probes')
ev_p=$(sqlite3 "$tmp/eve.db" 'SELECT count(*) FROM probes')
ze_p=$(sqlite3 "$tmp/zeek.db" 'SELECT count(*) FROM probes')
printf "\n%-22s %9s %10s %10s %12s %12s %9s\n" input seconds records probes records/s probes/s "peak MiB"
printf "%-22s %9s %10s %10s %12s %12s %9s\n" "ingest pcap" "$pc_s" "-" "$pc_p" "-" "$(rate "$pc_p" "$pc_s")" "$((pc_kb / 1024))"
printf "%-22s %9s %10s %10s %12s %12s %9s\n" "extract eve.json" "$ee_s" "$eve_records" "$ev_p" "$(rate "$eve_records" "$ee_s")" "$(rate "$ev_p" "$ee_s")" "$((ee_kb / 1024))"
printf "%-22s %9s %10s %10s %12s %12s %9s\n" "ingest eve.json" "$ev_s" "$eve_records" "$ev_p" "$(rate "$eve_records" "$ev_s")" "$(rate "$ev_p" "$ev_s")" "$((ev_kb / 1024))"
printf "%-22s %9s %10s %10s %12s %12s %9s\n" "ingest eve.json.gz" "$gz_s" "$eve_records" "$ev_p" "$(rate "$eve_records" "$gz_s")" "$(rate "$ev_p" "$gz_s")" "$((gz_kb / 1024))"
printf "%-22s %9s %10s %10s %12s %12s %9s\n" "ingest zeek/" "$ze_s" "$zeek_records" "$ze_p" "$(rate "$zeek_records" "$ze_s")" "$(rate "$ze_p" "$ze_s")" "$((ze_kb / 1024))"
echo "(EVE: one app-layer event and one flow event per session; syn, rdp and other sessions have only the flow."
echo " Zeek: one entry per http/ssl/dns/ssh session and a conn.log entry per SYN-only one.)"

# the same sessions from the capture and both logs into one database: stored once
$sg ingest -q --db "$tmp/all.db" "$tmp/logs/eve.json" "$tmp/logs/zeek" "$tmp/scale.pcap"
echo "capture + eve + zeek into one database: $(sqlite3 "$tmp/all.db" 'SELECT count(*) FROM probes') probes ($(sqlite3 "$tmp/all.db" "SELECT count(*) FROM probes WHERE source<>'pcap'") not from the capture)"

echo
echo "memory as the log grows (ingest eve.json, peak MiB):"
for frac in 4 2 1; do
  n=$((eve_records / frac))
  head -n "$n" "$tmp/logs/eve.json" > "$tmp/part.json"
  read -r s kb < <(measure $sg ingest -q --db "$tmp/part$frac.db" "$tmp/part.json")
  echo "  $n records: $((kb / 1024)) MiB, $(rate "$n" "$s") records/s"
done
