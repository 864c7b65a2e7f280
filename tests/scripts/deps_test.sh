#!/usr/bin/env bash
# scripts/install-deps.sh against a stub apt/dpkg (no root, no network): which packages each mode asks
# for, and the fallback when the archive has dropped one pinned version. Only that package may lose its
# pin and be warned about; the rest of the batch is installed at its pins, without a warning. Then
# scripts/build.sh against a stub cmake: the demo's build leaves tests and benchmarks out, the test
# script's build puts them back in the same build/.
set -euo pipefail
script="$(cd "$(dirname "$0")/../.." && pwd)/scripts/install-deps.sh"
stub=$(mktemp -d)
trap 'rm -rf "$stub"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The stub archive has every pinned version but libpcap-dev's, which moved to 1.10.3-1+deb12u1.
# Installed packages are lines "name version" in $stub/installed.
cat >"$stub/dpkg-query" <<'STUB'
#!/usr/bin/env bash
name=${*: -1}
v=$(awk -v n="$name" '$1 == n { print $2 }' "$STUB/installed")
[ -n "$v" ] || exit 1
case "$*" in *Status*) printf 'install ok installed %s' "$v" ;; *) printf '%s' "$v" ;; esac
STUB
cat >"$stub/apt-get" <<'STUB'
#!/usr/bin/env bash
[ "$1" = update ] && exit 0
echo "$*" >>"$STUB/calls"
for a in "$@"; do
  case "$a" in -*|install) ;; libpcap-dev=1.10.3-1) exit 100 ;; esac
done
for a in "$@"; do
  case "$a" in
    -*|install) ;;
    *=*) echo "${a%%=*} ${a#*=}" >>"$STUB/installed" ;;
    libpcap-dev) echo "libpcap-dev 1.10.3-1+deb12u1" >>"$STUB/installed" ;;
    *) echo "$a archive-version" >>"$STUB/installed" ;;
  esac
done
STUB
cat >"$stub/apt-cache" <<'STUB'
#!/usr/bin/env bash
[ "$1" = madison ] || exit 1
if [ "$2" = libpcap-dev ]; then v=1.10.3-1+deb12u1; else v=$(grep -ho "\"$2=[^\"]*\"" "$SCRIPT" | tr -d '"' | cut -d= -f2-); fi
echo " $2 | $v | http://deb.debian.org/debian bookworm/main amd64 Packages"
STUB
printf '#!/usr/bin/env bash\nexec "$@"\n' >"$stub/sudo"
chmod +x "$stub"/*
export STUB=$stub SCRIPT=$script PATH="$stub:$PATH"

# Without --test: the build packages only.
: >"$stub/installed"
bash "$script" >"$stub/out" 2>&1 || fail "build install failed: $(cat "$stub/out")"
grep -q '^cmake ' "$stub/installed" || fail "cmake not installed"
grep -q '^libtorch-dev ' "$stub/installed" || fail "libtorch-dev not installed"
if grep -qE '^(libgtest-dev|chromium|clang|tshark) ' "$stub/installed"; then fail "test packages installed without --test"; fi
grep -q 'warning: libpcap-dev is 1.10.3-1+deb12u1, pinned 1.10.3-1' "$stub/out" || fail "no warning for libpcap-dev: $(cat "$stub/out")"
n=$(grep -c 'warning: .* is .*, pinned' "$stub/out")
[ "$n" = 1 ] || fail "$n version warnings, expected only libpcap-dev's: $(cat "$stub/out")"
tail -1 "$stub/calls" | grep -q ' cmake=3.25.1-1 ' || fail "the retry dropped the pins of the other packages"

# --test (and SG_DEPS=test): the test packages too, the build packages already there.
rm "$stub/calls"
bash "$script" --test >"$stub/out" 2>&1 || fail "test install failed: $(cat "$stub/out")"
for p in libgtest-dev chromium clang tshark sqlite3; do grep -q "^$p " "$stub/installed" || fail "$p not installed"; done
if grep -q 'cmake=' "$stub/calls"; then fail "reinstalled present build packages"; fi
: >"$stub/installed"
SG_DEPS=test bash "$script" >/dev/null 2>&1 || fail "SG_DEPS=test install failed"
grep -q '^libgtest-dev ' "$stub/installed" || fail "SG_DEPS=test did not install the test packages"

# The demo installs and builds the tool only; the test script installs everything and builds the tests.
root=$(dirname "$(dirname "$script")")
grep -q '^bash scripts/install-deps.sh' "$root/scripts/demo.sh" || fail "demo.sh does not install"
if grep -q 'install-deps.sh --test' "$root/scripts/demo.sh"; then fail "demo.sh installs the test packages"; fi
grep -q 'bash scripts/build.sh --no-tests' "$root/scripts/demo.sh" || fail "demo.sh builds the tests"
grep -qx 'bash scripts/install-deps.sh --test' "$root/scripts/test.sh" || fail "test.sh does not install the test packages"
printf '#!/usr/bin/env bash\necho "$*" >>"$STUB/cmake.log"\n' >"$stub/cmake"
chmod +x "$stub/cmake"
bash "$root/scripts/build.sh" --no-tests
grep -q -- '-DSG_TESTS=OFF -DSG_BENCH=OFF' "$stub/cmake.log" || fail "build.sh --no-tests: $(cat "$stub/cmake.log")"
: >"$stub/cmake.log"
bash "$root/scripts/build.sh"
grep -q -- '-DSG_TESTS=ON -DSG_BENCH=ON' "$stub/cmake.log" || fail "build.sh: $(cat "$stub/cmake.log")"
grep -q -- '-DSG_WERROR=OFF' "$stub/cmake.log" || fail "build.sh turns warnings into errors for developers"
: >"$stub/cmake.log"
SG_WERROR=ON bash "$root/scripts/build.sh"
grep -q -- '-DSG_WERROR=ON' "$stub/cmake.log" || fail "SG_WERROR=ON did not reach cmake: $(cat "$stub/cmake.log")"
grep -q 'SG_WERROR=ON bash scripts/build.sh' "$root/scripts/test.sh" || fail "test.sh (CI) does not fail on warnings"
echo "install-deps, build: ok"
