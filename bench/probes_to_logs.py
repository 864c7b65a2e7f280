#!/usr/bin/env python3
"""Writes, for the probes `extract` printed (JSON Lines on stdin), the records a sensor would have logged:
Suricata EVE JSON (one http/tls/dns/ssh event per probe, plus a flow event per session, as EVE has them) and
Zeek TSV logs (http.log, ssl.log, dns.log, ssh.log, conn.log). For bench/log_throughput.sh: the same sessions
read as logs and as a capture. Not a sensor: it writes only the fields the importers read and a few others.
usage: scannergrouper extract -q x.pcap | python3 bench/probes_to_logs.py OUTDIR
"""
import json
import os
import sys
from datetime import datetime, timezone

out = sys.argv[1]
os.makedirs(os.path.join(out, "zeek"), exist_ok=True)
eve = open(os.path.join(out, "eve.json"), "w")

ZEEK = {
    "http": ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "trans_depth", "method", "host", "uri",
             "version", "user_agent", "request_body_len"],
    "ssl": ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version", "server_name"],
    "dns": ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "query", "qclass",
            "qtype", "RD", "opcode"],
    "ssh": ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "client"],
    "conn": ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "orig_bytes",
             "conn_state", "history"],
}
zeek = {}
for path, fields in ZEEK.items():
    f = open(os.path.join(out, "zeek", path + ".log"), "w")
    f.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t%s\n" % path)
    f.write("#fields\t" + "\t".join(fields) + "\n")
    zeek[path] = f


def esc(v):
    if v is None or v == "":
        return "-"
    s = str(v)
    return "".join(c if 0x20 <= ord(c) < 0x7f and c != "\\" else "".join("\\x%02x" % b for b in c.encode()) for c in s)


def row(path, values):
    zeek[path].write("\t".join(esc(values.get(k)) for k in ZEEK[path]) + "\n")


n = 0
for line in sys.stdin:
    p = json.loads(line)
    n += 1
    ts = datetime.strptime(p["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    epoch = "%d.%06d" % (int(ts.timestamp()), ts.microsecond)
    base = {"timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.%f+0000"), "flow_id": n, "src_ip": p["src"],
            "src_port": p["sport"], "dest_ip": p["dst"], "dest_port": p["dport"], "proto": p["transport"].upper()}
    z = {"ts": epoch, "uid": "C%d" % n, "id.orig_h": p["src"], "id.orig_p": p["sport"], "id.resp_h": p["dst"],
         "id.resp_p": p["dport"], "proto": p["transport"]}
    s = p["service"]
    rec = None
    if s == "http":
        h = p["http"]
        rec = dict(base, event_type="http", tx_id=0, http={
            "hostname": h.get("host"), "url": h["uri"], "http_user_agent": h.get("user_agent"),
            "http_method": h["method"], "protocol": h["version"],
            "request_headers": [{"name": k, "value": v} for k, v in h["headers"]]})
        row("http", dict(z, trans_depth=1, method=h["method"], host=h.get("host"), uri=h["uri"],
                         version=h["version"][5:], user_agent=h.get("user_agent"), request_body_len=h["body_length"]))
    elif s == "tls":
        t = p["tls"]
        tls = {"sni": t.get("sni"), "version": "TLS 1.2", "ja3": {"hash": t["ja3_hash"], "string": t["ja3"]},
               "ja4": t["ja4"]}
        rec = dict(base, event_type="tls", tls=tls)
        row("ssl", dict(z, version="TLSv12", server_name=t.get("sni")))
    elif s == "dns":
        d = p["dns"]
        rec = dict(base, event_type="dns", dns={"version": 3, "type": "request", "tx_id": 0, "id": d["id"],
                                                "flags": "%x" % d["flags"], "rd": d["rd"], "opcode": d["opcode"],
                                                "queries": [{"rrname": d["qname"], "rrtype": "TYPE%d" % d["qtype"]}]})
        row("dns", dict(z, trans_id=d["id"], query=d["qname"], qclass=d["qclass"], qtype=d["qtype"],
                        RD="T" if d["rd"] else "F", opcode=d["opcode"]))
    elif s == "ssh":
        b = p["ssh"]["banner"]
        parts = b.split("-", 2)
        if len(parts) == 3:
            rec = dict(base, event_type="ssh", ssh={"client": {"proto_version": parts[1], "software_version": parts[2]}})
        row("ssh", dict(z, client=b))
    elif s == "syn":
        row("conn", dict(z, service=None, orig_bytes=0, conn_state="S0", history="S"))
    if rec:
        eve.write(json.dumps(rec, separators=(",", ":")) + "\n")
    eve.write(json.dumps(dict(base, event_type="flow", flow={"pkts_toserver": 1}), separators=(",", ":")) + "\n")
