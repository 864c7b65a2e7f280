#!/usr/bin/env bash
# The README's main command: install, build, write the demo capture (three weeks of simulated scanner
# traffic against several sensors), and run the whole pipeline on it: ingest, labels, feature selection,
# training on the first two weeks, attribution of the third, evaluation, exports and the HTML report.
# Everything lands in ./demo/ (a rerun starts the database afresh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh         # what building and running need (no test or benchmark packages)
bash scripts/build.sh --no-tests     # the tool only
sg=./build/scannergrouper
rm -rf demo/scanners.db demo/scanners.db-* demo/scanners.db.models demo/exports demo/report
mkdir -p demo/captures demo/exports
step() { echo; echo "== $*"; }

step "simulate: the demo scenario into demo/captures/ (one pcap per day, plus labels.tsv)"
$sg simulate --scenario demo --seed 1 --out demo/captures/
step "ingest into demo/scanners.db"
$sg ingest --db demo/scanners.db --sensor-net 192.0.2.0/28 --sensor-net 2001:db8::/124 demo/captures/
step "a rerun adds nothing (idempotent)"
$sg ingest --db demo/scanners.db demo/captures/ 2>&1 | tail -1
step "labels: the demo's published scanner ranges (one organisation left out on purpose: the open-set case)"
$sg labels import --db demo/scanners.db demo/captures/labels.tsv
step "select: fields ranked by mutual information on the first two weeks, random ones flagged"
$sg select --db demo/scanners.db --until 2025-01-20 --service http
$sg select --db demo/scanners.db --until 2025-01-20 >/dev/null
step "train: per-service open-set models and the ensemble on weeks 1-2"
$sg train --db demo/scanners.db --until 2025-01-20 --iterations 500 --seed 1 2>&1 | grep -v ' step '
step "identify: who is behind the scanners of week 3 (payload evidence, each name with a confidence)"
$sg identify --db demo/scanners.db --from 2025-01-20 --to 2025-01-27
step "evaluate: week 3 against the labels beside the exact-match baseline, and every scanner against the truth"
$sg evaluate --db demo/scanners.db --from 2025-01-20 --to 2025-01-27 --truth demo/captures/truth.tsv
step "lookup: a named scanner, and a public tool's user that sends an organisation's payload (why, in words)"
$sg lookup --db demo/scanners.db 198.51.100.65 203.0.113.10 | grep -E '^[0-9a-f:.]+$|week |why: ' || true

step "exports"
$sg export --db demo/scanners.db --format csv --out demo/exports/scanners.csv
$sg export --db demo/scanners.db --format stix --out demo/exports/scanners.stix.json
$sg export --db demo/scanners.db --format misp --out demo/exports/misp/
step "report: one self-contained HTML page (clusters of the unknowns, maps, tables)"
$sg report --db demo/scanners.db --out demo/report/
step "done: demo/scanners.db, demo/exports/, demo/report/report.html (browse it: $sg serve --db demo/scanners.db)"
