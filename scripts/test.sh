#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this script; the README names it):
#   1. install dependencies, build, run every GoogleTest through CTest;
#   2. agreement with peer tools on ../shared/data/oracle (Suricata, Zeek, Arkime, FoxIO JA4);
#   3. the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   4. every libFuzzer target for a short run (FUZZ_SECONDS each, default 20).
# Set SG_QUICK=1 to run only step 1 and 2 while developing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
bash scripts/build.sh

echo "== unit and end-to-end tests"
ctest --test-dir build -j"$(nproc)" --output-on-failure

if [ -d ../shared/data/oracle ]; then
  echo "== agreement with peer tools (shared oracle)"
  ./build/oracle_agreement ../shared/data/oracle
else
  echo "== shared oracle not found beside the checkout: agreement check skipped"
fi

if [ "${SG_QUICK:-0}" = 1 ]; then exit 0; fi

echo "== tests under AddressSanitizer + UBSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSG_SANITIZE=ON -DSG_BENCH=OFF >/dev/null
cmake --build build-asan -j"$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -j"$(nproc)" --output-on-failure

echo "== libFuzzer targets, ${FUZZ_SECONDS:-20} s each"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSG_FUZZ=ON \
  -DSG_TESTS=OFF -DSG_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_tls fuzz_http fuzz_dns fuzz_ssh fuzz_rdp fuzz_decode \
  fuzz_session fuzz_capture
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
for t in tls http dns ssh rdp decode session capture; do
  mkdir -p "$corpus/$t"
  if [ "$t" = capture ] && [ -d ../shared/data/pcaps ]; then
    find ../shared/data/pcaps -name '*.pcap*' -size -64k -exec cp {} "$corpus/$t/" \;
  fi
  log="$corpus/$t.log"
  if ! ./build-fuzz/fuzz/fuzz_$t -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 "$corpus/$t" >"$log" 2>&1; then
    echo "fuzz_$t: FAILED"; tail -40 "$log"; exit 1
  fi
  echo "fuzz_$t: $(grep -E '^Done' "$log")"
done
# label lists (every format, detected by content) and search-engine tag finding
cmake --build build-fuzz -j"$(nproc)" --target fuzz_labels
mkdir -p "$corpus/labels"
if [ -d ../shared/data/lists ]; then
  find ../shared/data/lists -type f -size -4k -exec cp {} "$corpus/labels/" \;
fi
if ! ./build-fuzz/fuzz/fuzz_labels -max_total_time="${FUZZ_SECONDS:-20}" -max_len=4096 -rss_limit_mb=2048 \
  "$corpus/labels" >"$corpus/labels.log" 2>&1; then
  echo "fuzz_labels: FAILED"; tail -40 "$corpus/labels.log"; exit 1
fi
echo "fuzz_labels: $(grep -E '^Done' "$corpus/labels.log")"
cmake --build build-fuzz -j"$(nproc)" --target fuzz_simulate
mkdir -p "$corpus/simulate"
if ! ./build-fuzz/fuzz/fuzz_simulate -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 "$corpus/simulate" \
    >"$corpus/simulate.log" 2>&1; then
  echo "fuzz_simulate: FAILED"; tail -40 "$corpus/simulate.log"; exit 1
fi
echo "fuzz_simulate: $(grep -E '^Done' "$corpus/simulate.log")"
cmake --build build-fuzz -j"$(nproc)" --target fuzz_abuse
mkdir -p "$corpus/abuse"
echo '{"data":{"ipAddress":"192.0.2.1","abuseConfidenceScore":25}}' >"$corpus/abuse/seed.json"
if ! ./build-fuzz/fuzz/fuzz_abuse -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 "$corpus/abuse" \
    >"$corpus/abuse.log" 2>&1; then
  echo "fuzz_abuse: FAILED"; tail -40 "$corpus/abuse.log"; exit 1
fi
echo "fuzz_abuse: $(grep -E '^Done' "$corpus/abuse.log")"
echo "== all test stages passed"
