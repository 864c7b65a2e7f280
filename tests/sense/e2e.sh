#!/usr/bin/env bash
# `sense` end to end on loopback with real clients (curl, wget, python3, openssl s_client, ssh, dig):
#  1. every client gets its answer (the HTTP page with a tag cookie, a TLS handshake and the page inside,
#     version.bind over UDP and TCP, the SSH banner);
#  2. the stored probes equal, field for field, what `extract` reads from a capture (dumpcap) of the same
#     sessions (all but `ts` and `source`);
#  3. the tag in curl's Set-Cookie, inside a search engine's export, is found and opened by `labels
#     find-tags`, names the stored probe, and `labels import` labels the engine's probes with its name;
#  4. SIGTERM ends the sensor with exit 0 and everything recorded.
# Exit 77 (skipped) when a client or the capture tool is missing; the capture needs root or dumpcap's
# capability (the comparison alone is then skipped, after the rest passed).
#   bash tests/sense/e2e.sh BINARY
set -euo pipefail
bin=$(realpath "$1")
for t in curl wget python3 openssl ssh dig sqlite3; do
  command -v "$t" >/dev/null || { echo "SKIP: $t not installed (scripts/install-deps.sh --test)"; exit 77; }
done
source "$(dirname "${BASH_SOURCE[0]}")/../support/scratch.sh"  # $work, pids, cleanup on exit
fail() { echo "FAIL: $*"; [ -f "$work/sense.err" ] && sed 's/^/  sensor: /' "$work/sense.err"; exit 1; }

db=$work/sensor.db
"$bin" labels keygen --out "$work/tag.key"
"$bin" sense --db "$db" --bind 127.0.0.1 --http 0 --tls 0 --dns 0 --ssh 0 --tag-key "$work/tag.key" \
  --sensor 7 >"$work/sense.out" 2>"$work/sense.err" &
sensor=$!
pids+=("$sensor")
for _ in $(seq 100); do [ "$(grep -c '^listening' "$work/sense.out" || true)" -ge 5 ] && break; sleep 0.1; done
port() { awk -v k="$1" -v t="$2" '$1=="listening" && $2==k && $3==t {n=split($4,a,":"); print a[n]}' "$work/sense.out"; }
http=$(port http tcp) tls=$(port tls tcp) dns=$(port dns udp) ssh=$(port ssh tcp)
[ -n "$http" ] && [ -n "$tls" ] && [ -n "$dns" ] && [ -n "$ssh" ] || fail "sensor did not report its ports: $(cat "$work/sense.out")"
grep -q '^sensor 7 (tag sensor id 7), tagging HTTP answers$' "$work/sense.out" || fail "banner: $(head -1 "$work/sense.out")"

# The capture of the same sessions, when this user may capture on loopback.
capture=0
if command -v dumpcap >/dev/null; then
  dumpcap -q -i lo -P -f "port $http or port $tls or port $dns or port $ssh" -w "$work/cap.pcap" 2>"$work/dumpcap.err" &
  dc=$!
  pids+=("$dc")
  sleep 1.5
  kill -0 "$dc" 2>/dev/null && capture=1
fi

# 1. Real clients.
curl -s -A 'e2e-curl/1.0' -D "$work/http.headers" -o "$work/http.body" "http://127.0.0.1:$http/admin?x=1" ||
  fail "curl http"
grep -q '^HTTP/1.1 200 OK' "$work/http.headers" || fail "http status: $(head -1 "$work/http.headers")"
grep -q 'Welcome to nginx' "$work/http.body" || fail "http page"
grep -q '^Set-Cookie: sid=[A-Za-z0-9_-]\{88\}; Path=/; HttpOnly' "$work/http.headers" || fail "no tag cookie"
wget -q -O /dev/null "http://127.0.0.1:$http/index.html" || fail "wget"
python3 - "$http" <<'EOF' || fail "python3 http"
import sys, urllib.request
r = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/robots.txt", timeout=5)
assert r.status == 200 and "sid=" in r.headers["Set-Cookie"]
EOF
curl -sk -D "$work/https.headers" -o /dev/null "https://localhost:$tls/" || fail "curl https"
grep -q '^Set-Cookie: sid=' "$work/https.headers" || fail "no tag inside TLS"
echo | timeout 10 openssl s_client -connect "127.0.0.1:$tls" -servername scanner.example -alpn h2,http/1.1 \
  >"$work/s_client.out" 2>&1 || true
grep -q 'BEGIN CERTIFICATE\|Server certificate' "$work/s_client.out" || fail "s_client handshake: $(tail -5 "$work/s_client.out")"
timeout 10 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 \
  -p "$ssh" probe@127.0.0.1 true >"$work/ssh.out" 2>&1 || true
grep -q 'OpenSSH_9.2p1' "$work/ssh.out" || grep -qi 'closed\|reset\|kex' "$work/ssh.out" || fail "ssh: $(cat "$work/ssh.out")"
v=$(dig +short +time=3 +tries=1 @127.0.0.1 -p "$dns" version.bind chaos txt) || fail "dig udp"
[ "$v" = '"9.18.28-1~deb12u2-Debian"' ] || fail "dig version.bind: '$v'"
st=$(dig +tcp +time=3 +tries=1 @127.0.0.1 -p "$dns" example.com A | grep -o 'status: [A-Z]*') || fail "dig tcp"
[ "$st" = "status: REFUSED" ] || fail "dig tcp: $st"
# A connection that sends nothing: a SYN-only session, as in a capture.
python3 -c "import socket; s=socket.create_connection(('127.0.0.1', $http)); s.close()"
sleep 1

# 4. SIGTERM: exit 0, everything written.
kill -TERM "$sensor"
rc=0
wait "$sensor" || rc=$?
[ "$rc" -eq 0 ] || fail "sensor exit $rc after SIGTERM"
grep -q 'probes recorded' "$work/sense.err" || fail "no summary"
"$bin" probes --db "$db" >"$work/sensor.jsonl"
n=$(wc -l <"$work/sensor.jsonl")
echo "sensor stored $n probes"
python3 - "$work/sensor.jsonl" <<'EOF' || fail "stored probes"
import json, sys
ps = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for p in ps:
    assert p["source"] == "sensor", p
    by.setdefault(p["service"], []).append(p)
need = {"http": 3, "tls": 2, "dns": 2, "ssh": 1, "syn": 1}
for s, k in need.items():
    assert len(by.get(s, [])) >= k, (s, len(by.get(s, [])), [p["service"] for p in ps])
uas = {p["http"].get("user_agent") for p in by["http"]}
assert "e2e-curl/1.0" in uas, uas
assert any(p["tls"].get("sni") == "scanner.example" for p in by["tls"]), "s_client's SNI"
assert any(p["dns"]["qname"] == "version.bind" for p in by["dns"])
assert by["ssh"][0]["ssh"]["banner"].startswith("SSH-2.0-OpenSSH"), by["ssh"][0]
assert all("syn" in p for p in ps if p["transport"] == "tcp"), "TCP probes carry the SYN signature"
EOF

# 3. The tag loop: a search engine's export carrying the cookie -> find-tags -> import -> labels.
cookie=$(grep -o 'sid=[A-Za-z0-9_-]*' "$work/http.headers" | head -1)
printf '{"ip_str":"127.0.0.1","port":%s,"data":"HTTP/1.1 200 OK\\r\\nServer: nginx/1.22.1\\r\\nSet-Cookie: %s; Path=/; HttpOnly\\r\\n"}\n' \
  "$http" "$cookie" >"$work/shodan_export.json"
"$bin" labels find-tags --key-file "$work/tag.key" --org shodan --format json "$work/shodan_export.json" \
  >"$work/tags.json" || fail "find-tags"
record=$(python3 -c "import json,sys; t=json.load(open(sys.argv[1])); assert len(t)==1, t; r=t[0]; \
assert r['scanner']=='127.0.0.1' and r['sensor']==7 and r['ip']=='127.0.0.1' and r['org']=='shodan', r; print(r['record'])" \
  "$work/tags.json") || fail "find-tags rows: $(cat "$work/tags.json")"
[ "$(sqlite3 "$db" "SELECT service || ' ' || src FROM probes WHERE id=$record")" = "http 127.0.0.1" ] ||
  fail "the tag's record $record is not the stored HTTP probe"
[ "$(sqlite3 "$db" "SELECT json_extract(json, '\$.http.user_agent') FROM probes WHERE id=$record")" = "e2e-curl/1.0" ] ||
  fail "the tag's record is not curl's probe"
"$bin" labels import -q --db "$db" "$work/tags.json" || fail "labels import"
labelled=$(sqlite3 "$db" "SELECT count(*) FROM probes p JOIN probe_labels l ON l.probe_id=p.id WHERE p.src='127.0.0.1' AND l.org='shodan'")
[ "$labelled" -eq "$n" ] || fail "$labelled of $n probes labelled shodan"
echo "tag loop: record $record, $labelled probes labelled shodan"

# 2. Equal to extract on the capture.
if [ "$capture" -ne 1 ]; then
  echo "SKIP: cannot capture on loopback here ($(cat "$work/dumpcap.err" 2>/dev/null | head -1)); the rest passed"
  exit 77
fi
sleep 1
kill -INT "$dc"
wait "$dc" || true
"$bin" extract -q "$work/cap.pcap" >"$work/extract.jsonl" || fail "extract"
python3 - "$work/sensor.jsonl" "$work/extract.jsonl" <<'EOF' || fail "sensor probes differ from extract's"
import json, sys
def key(p): return (p["src"], p["sport"], p["dst"], p["dport"], p["transport"])
sensor = {key(p): p for p in map(json.loads, open(sys.argv[1]))}
extract = {key(p): p for p in map(json.loads, open(sys.argv[2]))}
missing = [k for k in sensor if k not in extract]
assert not missing, f"sessions the capture lacks: {missing}"
extra = [k for k in extract if k not in sensor]
assert not extra, f"sessions the sensor did not record: {extra}"
for k, s in sensor.items():
    e = extract[k]
    assert abs(s["ts"] - e["ts"]) < 2.0 if isinstance(s["ts"], (int, float)) else True
    s2 = {f: v for f, v in s.items() if f not in ("ts", "source")}
    e2 = {f: v for f, v in e.items() if f not in ("ts", "source")}
    assert s2 == e2, f"{k}:\n sensor  {json.dumps(s2, sort_keys=True)}\n extract {json.dumps(e2, sort_keys=True)}"
print(f"{len(sensor)} probes equal to extract's (all fields but ts and source)")
EOF
echo "PASS"
