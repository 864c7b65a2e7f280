#!/usr/bin/env bash
# Configures and builds scannergrouper (Release with debug info) into build/.
#   bash scripts/build.sh             the tool, its tests and benchmarks (scripts/test.sh)
#   bash scripts/build.sh --no-tests  the tool only (scripts/demo.sh): no GoogleTest or Google Benchmark
#                                     needed, and a shorter build
# SG_WERROR=ON makes every compiler warning an error (scripts/test.sh, so CI). Both set the options every time: CMake keeps them in build/, so a build/ configured by the demo would
# otherwise stay without tests when the test script builds it next.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=ON
if [ "${1:-}" = "--no-tests" ]; then tests=OFF; fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSG_TESTS=$tests -DSG_BENCH=$tests \
  -DSG_WERROR="${SG_WERROR:-OFF}" >/dev/null
cmake --build build -j"$(nproc)"
