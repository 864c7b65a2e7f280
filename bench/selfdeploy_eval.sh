#!/usr/bin/env bash
# SelfDeploy-25 end to end, both protocols of docs/METHOD.md (evaluation), on the simulator's replay of the real skeleton
# (../shared/data/selfdeploy: real times, ips, services and organisations; payloads from data/profiles).
#
#   bash bench/selfdeploy_eval.sh one-time      # paper Table 8: train up to the split, score the rest as one window
#   bash bench/selfdeploy_eval.sh incremental   # paper Table 6 + the weekly series: score week t with models of weeks < t
#
# Env: BACKBONE (mlp|wrn, default mlp), ITERATIONS (full training, default 2000), OUT (default build/sd25-<protocol>),
# PROBA (normalised|raw: the probability θ compares, default normalised), SG (the binary), SHIFT (a date: the
# replay's sessions from then on come from shifted profiles, `simulate --shift-from`).
# Both attribution methods are scored on the same models and rows: the paper's (iomatch: eval-iomatch.*) and
# the default payload evidence (eval.*), each beside the exact-match baseline, and with the replay's truth
# file the false-attribution rate over every scanner and the scenario's ceiling.
# Prints each stage's wall time and the per-organisation table next to the paper's (tools/compare_reference.py).
set -euo pipefail
cd "$(dirname "$0")/.."
protocol=${1:-one-time}
sg=${SG:-./build/scannergrouper}  # SG: a copy (with scannergrouper-ml beside it), so rebuilds cannot disturb a long run
data=../shared/data/selfdeploy
out=${OUT:-build/sd25-$protocol}
backbone=${BACKBONE:-mlp}
iters=${ITERATIONS:-2000}
proba=${PROBA:-normalised}
db=$out/sd25.db
[ -f $data/sd25_probes.tsv.gz ] || { echo "selfdeploy data not found beside the checkout ($data)"; exit 1; }
rm -rf "$out"; mkdir -p "$out"
timed() { local name=$1; shift; local t0=$(date +%s%N); "$@"; echo "[time] $name: $(( ($(date +%s%N) - t0) / 1000000 )) ms" | tee -a "$out/times.txt" >&2; }

shift_opt=()
[ -n "${SHIFT:-}" ] && shift_opt=(--shift-from "$SHIFT")
timed replay $sg simulate --scenario replay --skeleton $data/sd25_probes.tsv.gz --out "$out/cap/" --seed 1 "${shift_opt[@]}"
truth=(--truth "$out/cap/truth.tsv")
timed ingest $sg ingest -q --db $db --sensor-net 192.0.2.0/28 "$out/cap/"
timed labels $sg labels import --db $db --period 2024-12-01..2025-03-31 --source selfdeploy $data/labels_sd25.csv >/dev/null

if [ "$protocol" = one-time ]; then
  split=2025-02-25T16:00:00Z   # the paper's SG-f split: train iff ts <= 2025-02-25T15:59:59Z
  end=2025-03-17T16:00:00Z
  timed select $sg select --db $db --until $split > "$out/select.txt"
  # One scanner window over the whole test period (the paper scores each ip once over it).
  timed train $sg train --db $db --until $split --week-anchor $split --window-days 21 --backbone $backbone \
    --proba $proba --iterations $iters --seed 1 2>&1 | grep -v ' step ' | tee "$out/train.txt"
  $sg identify --db $db --from $split --to $end --method iomatch > "$out/identify-iomatch.txt"
  $sg evaluate --db $db --from $split --to $end --format json "${truth[@]}" > "$out/eval-iomatch.json"
  $sg evaluate --db $db --from $split --to $end --min-support 5 "${truth[@]}" > "$out/eval-iomatch.txt"
  timed identify $sg identify --db $db --from $split --to $end > "$out/identify.txt"
  timed evaluate $sg evaluate --db $db --from $split --to $end --format json "${truth[@]}" > "$out/eval.json"
  $sg evaluate --db $db --from $split --to $end --min-support 5 "${truth[@]}" | tee "$out/eval.txt"
  python3 tools/compare_reference.py "$out/eval.json" $data/reference_results.json one-time | tee "$out/compare.txt"
else
  anchor=2024-12-09T16:00:00Z  # the paper's weeks start 16:00 UTC (midnight in Beijing)
  first_end=2024-12-16T16:00:00Z
  timed select $sg select --db $db --until $first_end > "$out/select.txt"
  timed train $sg train --db $db --until $first_end --week-anchor $anchor --incremental --backbone $backbone \
    --proba $proba --iterations $iters --seed 1 2>&1 | grep -v ' step ' | tee "$out/train.txt"
  : > "$out/weekly.jsonl"
  : > "$out/weekly-iomatch.jsonl"
  for week in 2024-12-17 2024-12-24 2024-12-31 2025-01-07 2025-01-14 2025-01-21 2025-01-28 2025-02-04 \
              2025-02-11 2025-02-18 2025-02-25 2025-03-04 2025-03-11; do
    start=$(date -u -d "$week - 1 day" +%Y-%m-%dT16:00:00Z)
    stop=$(date -u -d "$week + 6 days" +%Y-%m-%dT16:00:00Z)
    $sg identify --db $db --from $start --to $stop --method iomatch >/dev/null
    $sg evaluate --db $db --from $start --to $stop --format json "${truth[@]}" | sed "s/^{/{\"week\":\"$week\",/" \
      >> "$out/weekly-iomatch.jsonl"
    timed "identify $week" $sg identify --db $db --from $start --to $stop >/dev/null
    $sg evaluate --db $db --from $start --to $stop --format json "${truth[@]}" | sed "s/^{/{\"week\":\"$week\",/" \
      >> "$out/weekly.jsonl"
    timed "update $week" $sg update --db $db --week $start --backbone $backbone --proba $proba --seed 1 2>&1 | grep -v ' step ' \
      >> "$out/train.txt"
  done
  tail -1 "$out/weekly.jsonl" > "$out/eval.json"
  tail -1 "$out/weekly-iomatch.jsonl" > "$out/eval-iomatch.json"
  python3 tools/compare_reference.py "$out/eval.json" $data/reference_results.json incremental "$out/weekly.jsonl" \
    | tee "$out/compare.txt"
fi
echo "outputs in $out"
