#!/usr/bin/env bash
# The README's main command: install, build, write the demo capture (three weeks of simulated scanner
# traffic against a few sensors), ingest it, and show what was found. Everything lands in ./demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
sg=./build/scannergrouper
mkdir -p demo/captures
echo "== simulate: demo scenario into demo/captures/ (one pcap per day)"
$sg simulate --scenario demo --seed 1 --out demo/captures/
echo "== ingest into demo/scanners.db"
$sg ingest --db demo/scanners.db --sensor-net 192.0.2.0/24 --sensor-net 2001:db8::/64 demo/captures/
echo "== a rerun adds nothing (idempotent)"
$sg ingest --db demo/scanners.db demo/captures/ 2>&1 | tail -1
echo "== probes per service and the most common first probes"
sqlite3 -header -column demo/scanners.db \
  "SELECT service, count(*) AS probes, count(DISTINCT src) AS scanners FROM probes GROUP BY service ORDER BY probes DESC"
$sg probes --db demo/scanners.db --format csv > demo/probes.csv
echo "top HTTP user agents:"
$sg probes --db demo/scanners.db --service http | sed -n 's/.*"user_agent":"\([^"]*\)".*/\1/p' | sort | uniq -c | sort -rn | head -5
echo "top JA4 fingerprints:"
$sg probes --db demo/scanners.db --service tls | sed -n 's/.*"ja4":"\([^"]*\)".*/\1/p' | sort | uniq -c | sort -rn | head -5
echo "== done: demo/scanners.db, demo/probes.csv ($(($(wc -l < demo/probes.csv) - 1)) probes)"
