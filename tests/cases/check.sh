#!/usr/bin/env bash
# End-to-end cases in the suricata-verify style: each folder under tests/cases holds one capture
# (capture.pcap, .pcapng, .gz or .zst), optionally `args` (extra `extract` options, one line) and the
# probes `extract` must print for it (expected.jsonl, reviewed like code).
#   bash tests/cases/check.sh BINARY [CASE...]            compare (CTest runs one case per test)
#   bash tests/cases/check.sh --update BINARY [CASE...]   rewrite expected.jsonl after a deliberate change
# A case fails on any difference, and prints it.
set -euo pipefail
update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
sg=${1:?usage: check.sh [--update] BINARY [CASE...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  for d in "$here"/*/; do cases+=("$(basename "$d")"); done
fi
failed=0
for c in "${cases[@]}"; do
  dir="$here/$c"
  captures=("$dir"/capture.*)
  if [ ! -f "${captures[0]}" ]; then echo "$c: no capture.* in $dir"; failed=1; continue; fi
  args=()
  if [ -f "$dir/args" ]; then read -r -a args <"$dir/args"; fi
  got=$(mktemp)
  if ! "$sg" extract -q "${args[@]}" "${captures[0]}" >"$got"; then
    echo "$c: extract failed"; failed=1; rm -f "$got"; continue
  fi
  if [ $update -eq 1 ]; then
    mv "$got" "$dir/expected.jsonl"
    echo "$c: expected.jsonl written ($(wc -l <"$dir/expected.jsonl") probes)"
    continue
  fi
  if [ ! -s "$got" ]; then echo "$c: no probe extracted"; failed=1; fi
  if ! diff -u "$dir/expected.jsonl" "$got" >"$got.diff"; then
    echo "$c: output differs from expected.jsonl:"; cat "$got.diff"; failed=1
  else
    echo "$c: $(wc -l <"$got") probes as expected"
  fi
  rm -f "$got" "$got.diff"
done
exit $failed
