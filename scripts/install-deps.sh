#!/usr/bin/env bash
# Installs the Debian packages scannergrouper needs. The README's two commands and CI (.ci/run) both call
# this script, so the lists live here and only here:
#   bash scripts/install-deps.sh          building and running the tool (scripts/demo.sh): compiler, CMake,
#                                         the libraries, libtorch, gnuplot for the report
#   bash scripts/install-deps.sh --test   that, plus what the tests, fuzzers and benchmarks need
#                                         (scripts/test.sh); SG_DEPS=test does the same
#   bash scripts/install-deps.sh --bench  that, plus the optional load tools some benchmarks prefer when
#                                         present (bench/serve_bench.sh: wrk); SG_DEPS=bench. CI needs none.
#
# Versions are pinned to what the project was last verified with (Debian 12 "bookworm"). When the archive
# has moved on (a security update replaces a version), that package is installed at the archive's version
# and a warning names it, rather than failing the whole install; the others keep their pins.
set -euo pipefail

BUILD_PACKAGES=(
  "cmake=3.25.1-1"
  "ninja-build=1.11.1-2~deb12u1"
  "g++=4:12.2.0-3"
  "pkg-config=1.8.1-1"
  "libpcap-dev=1.10.3-1"               # capture: pcap/pcapng reading, live capture, BPF
  "libzstd-dev=1.5.4+dfsg2-5+deb12u1"  # .zst captures
  "zlib1g-dev=1:1.2.13.dfsg-1"         # .gz captures
  "libsqlite3-dev=3.40.1-2+deb12u2"    # the probe store
  "libpq-dev=15.18-0+deb12u1"          # the PostgreSQL backend (--db postgresql://...): the client library only
  "libssl-dev=3.0.19-1~deb12u2"        # MD5/SHA-256 for JA3, JA4, HASSH, capture hashes
  "nlohmann-json3-dev=3.11.2-2"        # reading JSON (CSV export, tools)
  "rapidjson-dev=1.1.0+dfsg2-7.1"      # writing the JSON export stream without a document tree
  "libfmt-dev=9.1.0+ds1-2"
  "libcli11-dev=2.1.2+ds-1"            # command line
  "libcpp-httplib-dev=0.11.4+ds-1+deb12u1"  # `serve`: the HTTP server (and the tests' client)
  "gnuplot-nox=5.4.4+dfsg1-2+b2"       # the report's figures (SVG)
  "fonts-dejavu-core=2.37-6"           # the font the figures and the report name
  "libtorch-dev=1.13.1+dfsg-4"         # the IOMatch model and the aggregator's logistic regression (CPU)
  "libopenblas0-pthread=0.3.21+ds-4"   # libtorch calls the system BLAS: ~6x faster than the reference one
)

TEST_PACKAGES=(
  "libgtest-dev=1.12.1-0.2"
  "libgmock-dev=1.12.1-0.2"
  "libbenchmark-dev=1.7.1-1"
  "clang=1:14.0-55.7~deb12u1"          # libFuzzer targets
  "libclang-rt-14-dev=1:14.0.6-12"     # sanitizer and fuzzer runtimes
  "clang-format=1:14.0-55.7~deb12u1"   # the house style (.clang-format), checked by scripts/test.sh
  "tshark=4.0.17-0+deb12u3"            # benchmark baseline only
  "sqlite3=3.40.1-2+deb12u2"           # the end-to-end tests read the database with the sqlite3 shell
  "postgresql-15=15.18-0+deb12u1"      # the PostgreSQL tests start a server of their own (initdb, pg_ctl)
  "time=1.9-0.2"                       # peak memory in benchmarks
  "chromium=156.0.8078.129-1~deb12u1"  # renders the report headless (security updates move it)
  "python3=3.11.2-1+b1"                # tools/replay_compare.py (simulator replay check)
  # the clients `sense` is tested with (tests/sense): a sensor is judged by real clients
  "curl=7.88.1-10+deb12u14"
  "wget=1.21.3-1+deb12u1"
  "openssl=3.0.19-1~deb12u2"
  "openssh-client=1:9.2p1-2+deb12u6"
  "bind9-dnsutils=1:9.18.49-1~deb12u3"   # dig
)

# Optional: a benchmark uses these when installed and falls back to the project's own tools otherwise.
BENCH_PACKAGES=(
  "wrk=4.1.0-3+b2"                     # HTTP load for bench/serve_bench.sh (else bench/serve_load.cc)
)

PACKAGES=("${BUILD_PACKAGES[@]}")
if [ "${1:-}" = "--test" ] || [ "${SG_DEPS:-}" = "test" ]; then PACKAGES+=("${TEST_PACKAGES[@]}"); fi
if [ "${1:-}" = "--bench" ] || [ "${SG_DEPS:-}" = "bench" ]; then
  PACKAGES+=("${TEST_PACKAGES[@]}" "${BENCH_PACKAGES[@]}")
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

installed_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

missing=()
for spec in "${PACKAGES[@]}"; do
  name=${spec%%=*}
  want=${spec#*=}
  have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
  if [[ "$have" != "install ok installed $want" ]]; then missing+=("$spec"); fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present at the pinned versions"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  echo "install-deps: warning: pinned versions not all available; installing the archive's versions of those" >&2
  # Only a package whose pinned version the archive no longer has loses its pin.
  specs=()
  for spec in "${missing[@]}"; do
    name=${spec%%=*}
    if apt-cache madison "$name" | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep -qxF "${spec#*=}"; then
      specs+=("$spec")
    else
      specs+=("$name")
    fi
  done
  if ! $SUDO apt-get install -y -qq --no-install-recommends "${specs[@]}"; then
    # A pin the archive still has can need an older library than the one installed (a security update
    # moved it): then the archive's versions of the whole batch, and the warnings below say which moved.
    echo "install-deps: warning: the pinned versions conflict with what is installed; installing the archive's versions" >&2
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]%%=*}"
  fi
  for spec in "${missing[@]}"; do
    name=${spec%%=*}
    have=$(installed_version "$name")
    if [ "$have" != "${spec#*=}" ]; then
      echo "install-deps: warning: $name is ${have:-not installed}, pinned ${spec#*=}" >&2
    fi
  done
fi
