# Sourced by the loopback test scripts (tests/sense): a scratch folder in $work and the background processes
# they start in pids, both gone when the script exits, however it exits.
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
