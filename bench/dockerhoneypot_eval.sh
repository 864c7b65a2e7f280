#!/usr/bin/env bash
# The real scenario: HTTP requests a Docker-API honeypot received (../shared/data/real/dockerhoneypot: real
# sources, requests and headers, 2021-05..2024-02), labelled by the published lists (../shared/data/lists).
# Trained on everything before SPLIT, scored on the months after it as one window, with the paper's
# protocol (censys and driftnet held out as unknown); the learned model (iomatch) and payload evidence
# (the default) on the same models and rows, each beside the exact-match baseline. There is no truth file
# for real traffic: evaluate counts the unlabelled scanners each names.
#
#   bash bench/dockerhoneypot_eval.sh            # SPLIT=2023-11-01 END=2024-03-01 by default
#
# Env: SPLIT, END, ITERATIONS (default 2000), OUT (default build/dockerhoneypot), SG (the binary).
set -euo pipefail
cd "$(dirname "$0")/.."
sg=${SG:-./build/scannergrouper}
data=../shared/data/real/dockerhoneypot
lists=../shared/data/lists
out=${OUT:-build/dockerhoneypot}
split=${SPLIT:-2023-11-01}
end=${END:-2024-03-01}
iters=${ITERATIONS:-2000}
db=$out/real.db
[ -d $data/captures ] || { echo "real honeypot data not found beside the checkout ($data)"; exit 1; }
rm -rf "$out"; mkdir -p "$out"
timed() { local name=$1; shift; local t0=$(date +%s%N); "$@"; echo "[time] $name: $(( ($(date +%s%N) - t0) / 1000000 )) ms" | tee -a "$out/times.txt" >&2; }
days=$(( ($(date -u -d "$end" +%s) - $(date -u -d "$split" +%s)) / 86400 ))

timed ingest $sg ingest -q --db $db --sensor-net 142.93.53.4/32 $data/captures/
timed labels $sg labels import -q --db $db $lists >/dev/null
timed select $sg select --db $db --until $split --service http > "$out/select.txt"
timed train $sg train --db $db --until $split --week-anchor $split --window-days $days --services http \
  --iterations $iters --seed 1 2>&1 | grep -v ' step ' | tee "$out/train.txt"
$sg identify --db $db --from $split --to $end --method iomatch > "$out/identify-iomatch.txt"
$sg evaluate --db $db --from $split --to $end --format json > "$out/eval-iomatch.json"
$sg evaluate --db $db --from $split --to $end --min-support 5 > "$out/eval-iomatch.txt"
timed identify $sg identify --db $db --from $split --to $end > "$out/identify.txt"
timed evaluate $sg evaluate --db $db --from $split --to $end --format json > "$out/eval.json"
$sg evaluate --db $db --from $split --to $end --min-support 5 | tee "$out/eval.txt"
echo "outputs in $out"
