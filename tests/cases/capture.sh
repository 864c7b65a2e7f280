#!/usr/bin/env bash
# Records the self-captured cases: real clients (curl, wget, OpenSSL, OpenSSH) talking to throw-away
# servers on loopback, captured with dumpcap, one case folder each. Needs root (or dumpcap's capture
# capability), python3, openssl, curl, wget, ssh. The captures are committed; rerun this only to add or
# renew a case, then `tests/cases/check.sh --update BINARY` writes the expected output and the diff is
# reviewed like code.
#   bash tests/cases/capture.sh [CASE...]     (default: every case below)
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# capture NAME FORMAT(pcap|pcapng) FILTER COMMAND...: runs COMMAND while dumpcap records loopback
capture() {
  local name=$1 format=$2 filter=$3
  shift 3
  mkdir -p "$name"
  local out="$name/capture.$format" flag=-P
  [ "$format" = pcapng ] && flag=-n
  rm -f "$name"/capture.*
  dumpcap -q -i lo $flag -f "$filter" -w "$work/$name.$format" &
  local dc=$!
  sleep 1.5
  "$@" >/dev/null 2>&1 || true
  sleep 1
  kill -INT "$dc"
  wait "$dc" || true
  cp "$work/$name.$format" "$out"
  chmod 644 "$out"
  echo "$name: $(stat -c %s "$out") bytes"
}

http_port=$(port)
python3 -m http.server "$http_port" --bind 127.0.0.1 --directory "$work" >/dev/null 2>&1 &
pids+=($!)
http6_port=$(port)
python3 -m http.server "$http6_port" --bind ::1 --directory "$work" >/dev/null 2>&1 &
pids+=($!)
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 -keyout "$work/k.pem" -out "$work/c.pem" 2>/dev/null
tls_port=$(port)
openssl s_server -quiet -accept "$tls_port" -key "$work/k.pem" -cert "$work/c.pem" -www >/dev/null 2>&1 &
pids+=($!)
# an SSH server's banner is all the client needs to send its own hello and key exchange
ssh_port=$(port)
python3 -c "
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $ssh_port)); s.listen(4)
while True:
    c,_=s.accept(); c.sendall(b'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'); c.settimeout(2)
    try:
        while c.recv(65536): pass
    except Exception: pass
    c.close()
" &
pids+=($!)
sleep 1

want=("$@")
run() { [ ${#want[@]} -eq 0 ] || printf '%s\n' "${want[@]}" | grep -qxF "$1"; }

run http-curl && capture http-curl pcap "tcp port $http_port" curl -s "http://127.0.0.1:$http_port/"
run http-wget && capture http-wget pcapng "tcp port $http_port" wget -q -O /dev/null "http://127.0.0.1:$http_port/index.html"
run http-ipv6-curl && capture http-ipv6-curl pcap "tcp port $http6_port" curl -s "http://[::1]:$http6_port/"
# a user agent with terminal escapes and quotes, as attack traffic carries them
run http-hostile-agent && capture http-hostile-agent pcap "tcp port $http_port" \
  curl -s -A $'x\e]0;owned\a"<script>\',=1+1' "http://127.0.0.1:$http_port/%3Cb%3E?q=%00"
run tls-curl && capture tls-curl pcap "tcp port $tls_port" curl -s -k "https://localhost:$tls_port/"
run tls-openssl && capture tls-openssl pcapng "tcp port $tls_port" \
  bash -c "echo | openssl s_client -connect 127.0.0.1:$tls_port -servername scanner.example -alpn h2,http/1.1"
# a port nobody listens on: the SYN is the whole probe
closed_port=$(port)
run syn-closed-port && capture syn-closed-port pcap "tcp port $closed_port" curl -s "http://127.0.0.1:$closed_port/"
run ssh-openssh && capture ssh-openssh pcap "tcp port $ssh_port" \
  timeout 3 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -p "$ssh_port" probe@127.0.0.1
# the same wget session, gzip-compressed as rotated sensor captures are
if run http-wget-gz && [ -f http-wget/capture.pcapng ]; then
  mkdir -p http-wget-gz
  gzip -n -c http-wget/capture.pcapng >http-wget-gz/capture.pcapng.gz
  echo "http-wget-gz: $(stat -c %s http-wget-gz/capture.pcapng.gz) bytes"
fi
