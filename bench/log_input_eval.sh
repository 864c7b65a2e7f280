#!/usr/bin/env bash
# Attribution from sensor logs instead of captures (issue 16): the demo scenario (scripts/demo.sh) simulated
# once with `--logs eve,zeek`, then the demo's pipeline (ingest, labels, select, train on weeks 1-2, identify
# week 3, evaluate against the labels and truth.tsv) run on three databases fed from the same sessions:
#
#   pcap       the captures (the demo itself)
#   eve        eve.json only (Suricata EVE JSON)
#   zeek       the zeek/ folder only (Zeek TSV logs)
#   pcap>eve   trained on the captures of weeks 1-2, then week 3 read from eve.json: a model trained on pcap
#   pcap>zeek  probes applied to log probes (fields a log cannot carry are absent there), measured
#
# and prints the scanner-level figures side by side: weighted F1 of the default method beside the
# exact-match baseline on the same rows, and the false-attribution rate over every scanner of no known
# organisation (judged by truth.tsv), for the method and the baseline.
#
#   bash bench/log_input_eval.sh                 # everything (the log rows need the EVE and Zeek readers)
#   PARTS=pcap bash bench/log_input_eval.sh      # only some of: pcap eve zeek pcap>eve pcap>zeek
#
# Env: SG (the binary, default ./build/scannergrouper), SIM (the binary for `simulate`, default SG), OUT (default build/log-eval), ITERATIONS (training,
# default 500 as in the demo), PARTS.
set -euo pipefail
cd "$(dirname "$0")/.."
sg=${SG:-./build/scannergrouper}
sim=${SIM:-$sg}  # the binary that simulates (one with `simulate --logs`, while the readers live elsewhere)
out=${OUT:-build/log-eval}
iters=${ITERATIONS:-500}
parts=${PARTS:-"pcap eve zeek pcap>eve pcap>zeek"}
nets=(--sensor-net 192.0.2.0/28 --sensor-net 2001:db8::/124)  # the demo's sensors (simulate prints them)
split=2025-01-20
end=2025-01-27
rm -rf "$out"
mkdir -p "$out"
# Runs a stage, notes its wall time, and returns its status.
timed() {
  local name=$1 t0 rc=0
  shift
  t0=$(date +%s%N)
  "$@" || rc=$?
  echo "[time] $name: $(( ($(date +%s%N) - t0) / 1000000 )) ms" | tee -a "$out/times.txt" >&2
  return $rc
}

cap=$out/captures
timed simulate $sim simulate --scenario demo --seed 1 --logs eve,zeek --out "$cap/"
[ -f "$cap/eve.json" ] && [ -d "$cap/zeek" ] || { echo "simulate wrote no logs"; exit 1; }

# The demo's steps after ingest, on one database: labels, select, train up to the split.
prepare() {
  local db=$1
  $sg labels import --db "$db" "$cap/labels.tsv" >/dev/null
  $sg select --db "$db" --until $split >/dev/null
  $sg train --db "$db" --until $split --iterations "$iters" --seed 1 2>&1 | grep -v ' step ' >"$db.train.txt"
}
# identify week 3 and evaluate it against the labels and the truth.
score() {
  local db=$1 name=$2
  $sg identify --db "$db" --from $split --to $end >"$out/$name.identify.txt"
  $sg evaluate --db "$db" --from $split --to $end --truth "$cap/truth.tsv" --format json >"$out/$name.eval.json"
  $sg evaluate --db "$db" --from $split --to $end --truth "$cap/truth.tsv" >"$out/$name.eval.txt"
}

# Days of the training weeks only: the per-day captures before the split.
train_days=()
for f in "$cap"/*.pcap; do
  day=$(basename "$f" .pcap)
  [[ "$day" < "$split" ]] && train_days+=("$f")
done

for part in $parts; do
  db="$out/$(echo "$part" | tr '>' '-').db"
  case "$part" in
    pcap) timed "ingest pcap" $sg ingest -q --db "$db" "${nets[@]}" "$cap"/*.pcap ;;  # not the folder: it holds the logs too
    eve | zeek)
      if [ "$part" = eve ]; then log="$cap/eve.json"; else log="$cap/zeek/"; fi
      # Without a reader for the format ingest refuses the file: reported, and the other inputs still run.
      timed "ingest $part" $sg ingest -q --db "$db" "${nets[@]}" "$log" || { echo "== $part: ingest failed"; continue; }
      ;;
    "pcap>eve" | "pcap>zeek")
      # Trained on captures only; week 3 then comes from the log (its weeks 1-2 records are the sessions
      # already stored from the captures, stored once).
      $sg ingest -q --db "$db" "${nets[@]}" "${train_days[@]}"
      prepare "$db"
      if [ "$part" = "pcap>eve" ]; then log="$cap/eve.json"; else log="$cap/zeek/"; fi
      timed "ingest $part" $sg ingest -q --db "$db" "${nets[@]}" "$log" || { echo "== $part: ingest failed"; continue; }
      score "$db" "$(basename "$db" .db)"
      continue
      ;;
    *) echo "unknown part '$part' (expected: pcap eve zeek pcap>eve pcap>zeek)"; exit 2 ;;
  esac
  prepare "$db"
  score "$db" "$(basename "$db" .db)"
done

python3 - "$out" $parts <<'EOF'
import json, sys
out, parts = sys.argv[1], sys.argv[2:]
print()
print(f"Demo week 3 ({out}); scanner level, default method (payload evidence) beside the exact-match baseline")
print(f"{'input':<11} {'scanners':>8} {'F1':>7} {'baseline':>9} {'margin':>7} {'FAR':>7} {'FAR base':>9} {'prec':>6} "
      f"{'unl. named':>10}")
for part in parts:
    name = part.replace('>', '-')
    try:
        e = json.load(open(f"{out}/{name}.eval.json"))
    except (OSError, ValueError) as err:
        print(f"{part:<11} (no evaluation: {err})")
        continue
    s, b, t = e["scanners"], e["baseline"], e.get("truth", {})
    far = t.get("model", {}).get("false_attribution_rate", float("nan"))
    farb = t.get("baseline", {}).get("false_attribution_rate", float("nan"))
    prec = t.get("model", {}).get("precision", float("nan"))
    print(f"{part:<11} {s['rows']:>8} {s['weighted']['f1']:>7.3f} {b['weighted']['f1']:>9.3f} "
          f"{e['margin_weighted_f1']:>+7.3f} {far:>7.3f} {farb:>9.3f} {prec:>6.3f} {e['unlabelled_named']:>10}")
EOF
echo "outputs in $out (per input: *.eval.txt, *.identify.txt; stage times in times.txt)"
