#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this script; the README names it):
#   1. install dependencies, build (warnings are errors), check the style, run every GoogleTest through CTest;
#   2. agreement with peer tools on ../shared/data/oracle (Suricata, Zeek, Arkime, FoxIO JA4);
#   3. the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   4. every libFuzzer target for a short run (FUZZ_SECONDS each, default 20).
# Set SG_QUICK=1 to run only step 1 and 2 while developing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
SG_WERROR=ON bash scripts/build.sh  # warnings fail CI (a developer's build only prints them)

echo "== style: every C++ file as .clang-format lays it out"
git ls-files -z '*.cc' '*.h' | xargs -0 clang-format --dry-run -Werror

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
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# fuzz TARGET [libFuzzer options]: builds fuzz_TARGET and runs it on a temporary corpus seeded from
# fuzz/corpus/TARGET (fuzz/make_corpus.py) and whatever the caller put there, so runs never change the
# committed seeds. Sanitizer findings, undefined behaviour included, end the run and fail the stage.
# The gate runs with a fixed seed (FUZZ_SEED, default 1) so a red run can be replayed; hunting for new
# findings is FUZZ_SEED=0 (a random seed each run) with a larger FUZZ_SECONDS.
fuzz() {
  local t=$1
  shift
  cmake --build build-fuzz -j"$(nproc)" --target "fuzz_$t"
  mkdir -p "$corpus/$t"
  if [ -d "fuzz/corpus/$t" ]; then cp fuzz/corpus/"$t"/* "$corpus/$t/"; fi
  if ! ./build-fuzz/fuzz/fuzz_"$t" -max_total_time="${FUZZ_SECONDS:-20}" -seed="${FUZZ_SEED:-1}" -rss_limit_mb=2048 "$@" "$corpus/$t" \
      >"$corpus/$t.log" 2>&1; then
    echo "fuzz_$t: FAILED"; tail -40 "$corpus/$t.log"; exit 1
  fi
  echo "fuzz_$t: $(grep -E '^Done' "$corpus/$t.log")"
}
for t in tls http dns ssh rdp decode session; do fuzz "$t"; done
mkdir -p "$corpus/capture"
if [ -d ../shared/data/pcaps ]; then
  find ../shared/data/pcaps -name '*.pcap*' -size -64k -exec cp {} "$corpus/capture/" \;
fi
fuzz capture
# label lists (every format, detected by content) and search-engine tag finding
mkdir -p "$corpus/labels"
if [ -d ../shared/data/lists ]; then
  find ../shared/data/lists -type f -size -4k -exec cp {} "$corpus/labels/" \;
fi
fuzz labels -max_len=4096
fuzz simulate
# the sensor logs simulate --logs writes, from arbitrary client and server bytes
fuzz sensor_logs
fuzz abuse
# CSV cells and term_safe on hostile text: their invariants abort the run when broken
fuzz csv
# simulate's truth file (evaluate --truth) and attribution's coarse values
fuzz truth
# logs as inputs: EVE JSON and Zeek logs, seeded from ../shared/data/logs where present
for t in eve zeek; do
  mkdir -p "$corpus/$t"
  d=zeek
  if [ "$t" = eve ]; then d=suricata; fi
  if [ -d ../shared/data/logs/$d ]; then
    find ../shared/data/logs/$d -type f \( -name '*.log' -o -name '*.json' \) -size -16k -exec cp --backup=numbered {} "$corpus/$t/" \;
  fi
  fuzz "$t" -max_len=4096
done
# the sensor's DNS answer (`sense`) on whatever a client sends: never over its size bound
fuzz sense_dns
echo "== all test stages passed"
