#!/usr/bin/env bash
# Issue 19's ratios in one run on one capture (measures, asserts nothing):
#   extract / bare libpcap read loop (bench/pcap_read_loop.cc), extract / tshark, ingest on 2 cores / 1 core.
# The ingest ratio is taken on a folder of FILES captures (simulate seeds 1..FILES, PACKETS/FILES packets
# each): ingest reads files in parallel (--jobs), one file is read by one thread.
# Times are CPU seconds (user + system) of a run pinned to its cores, best of REPS runs, so that a loaded
# machine inflates them less than wall time; wall seconds are printed beside them.
# usage: bash bench/extract_ratios.sh [PACKETS] [REPS]   (default 2000000 3; build first: scripts/build.sh)
#        CAPTURE=file.pcap bash bench/extract_ratios.sh   (an existing capture instead of a simulated one)
#        SG=/path/to/scannergrouper ...                   (another build, e.g. the one before a change)
#        FILES=8 ...                                      (files of the ingest folder; default 8)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000000}
REPS=${2:-3}
FILES=${FILES:-8}
sg=${SG:-./build/scannergrouper}  # SG=other/binary measures another build (the baseline)
loop=${LOOP:-./build/bench/pcap_read_loop}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# best CPU seconds (user+sys) and its wall seconds over REPS runs: "cpu wall"
best() {
  local cores=$1
  shift
  local b=""
  for _ in $(seq "$REPS"); do
    rm -f "$tmp"/*.db  # ingest skips a capture its database already holds: every run starts empty
    /usr/bin/time -f "%U %S %e" -o "$tmp/t" taskset -c "$cores" "$@" >/dev/null 2>"$tmp/err" || {
      cat "$tmp/err"
      exit 1
    }
    read -r u s e <"$tmp/t"
    b=$(awk -v u="$u" -v s="$s" -v e="$e" -v b="$b" 'BEGIN { c = u + s; split(b, o, " ");
      if (b == "" || c < o[1]) printf "%.2f %.2f", c, e; else print b }')
  done
  echo "$b"
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", (s > 0 ? n / s / 1e6 : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

if [ -n "${CAPTURE:-}" ]; then
  cap=$CAPTURE
  N=$($loop "$cap" | awk '{ print $1 }')
else
  cap=$tmp/scale.pcap
  $sg simulate --scenario scale --packets "$N" --seed 7 --out "$cap" >/dev/null 2>&1
fi
mkdir -p "$tmp/split"
for i in $(seq "$FILES"); do
  $sg simulate --scenario scale --packets $((N / FILES)) --seed "$i" --out "$tmp/split/part$i.pcap" >/dev/null 2>&1
done
jobs_flag() { if $sg ingest --help 2>&1 | grep -q -- --jobs; then echo "--jobs $1"; fi; }  # builds before --jobs
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "capture: $cap, $N packets, $(($(stat -c %s "$cap") / 1048576)) MiB; ingest folder: $FILES files; best of $REPS runs"

read -r rd_c rd_w < <(best 0 $loop "$cap")
read -r ex_c ex_w < <(best 0 $sg extract -q "$cap")
read -r ic_c ic_w < <(best 0 $sg ingest -q $(jobs_flag 1) --db "$tmp/cap.db" "$cap")
read -r i1_c i1_w < <(best 0 $sg ingest -q $(jobs_flag 1) --db "$tmp/one.db" "$tmp/split")
read -r i2_c i2_w < <(best 0,1 $sg ingest -q $(jobs_flag 2) --db "$tmp/two.db" "$tmp/split")
have_tshark=0
if command -v tshark >/dev/null; then
  have_tshark=1
  read -r ts_c ts_w < <(REPS=1 best 0 tshark -n -r "$cap" \
    -Y 'http.request || tls.handshake.type == 1 || (dns && dns.flags.response == 0) || ssh.protocol' \
    -T fields -e frame.time_epoch -e ip.src -e ipv6.src -e tcp.srcport -e udp.srcport -e http.request.method \
    -e http.request.uri -e http.user_agent -e http.host -e tls.handshake.extensions_server_name \
    -e tls.handshake.ja3 -e dns.qry.name -e dns.qry.type -e ssh.protocol)
fi

printf "\n%-28s %9s %9s %12s\n" program "cpu s" "wall s" "M packets/s"
printf "%-28s %9s %9s %12s\n" "read loop (libpcap)" "$rd_c" "$rd_w" "$(rate "$N" "$rd_c")"
printf "%-28s %9s %9s %12s\n" "extract" "$ex_c" "$ex_w" "$(rate "$N" "$ex_c")"
printf "%-28s %9s %9s %12s\n" "ingest (the capture)" "$ic_c" "$ic_w" "$(rate "$N" "$ic_c")"
printf "%-28s %9s %9s %12s\n" "ingest $FILES files, 1 core" "$i1_c" "$i1_w" "$(rate "$N" "$i1_w")"
printf "%-28s %9s %9s %12s\n" "ingest $FILES files, 2 cores" "$i2_c" "$i2_w" "$(rate "$N" "$i2_w")"
[ $have_tshark = 1 ] && printf "%-28s %9s %9s %12s\n" "tshark" "$ts_c" "$ts_w" "$(rate "$N" "$ts_c")"
echo
echo "extract / read loop:     $(ratio "$ex_c" "$rd_c")x the CPU time (goal: within 5x)"
[ $have_tshark = 1 ] && echo "tshark / extract:        $(ratio "$ts_c" "$ex_c")x faster than tshark (goal: >= 60x)"
echo "ingest 1 core / 2 cores: $(ratio "$i1_w" "$i2_w")x the wall-time speed-up on 2 cores (goal: >= 1.8x)"
