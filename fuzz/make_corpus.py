#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora under fuzz/corpus/<target>/ from the analyzer test fixtures.

libFuzzer starting from an empty corpus spends its short CI run (scripts/test.sh, 20 s a target) finding
the first valid ClientHello or DNS header; starting from real messages it mutates deep inside them. The
TLS seeds are read from tests/probe/tls_fixtures.h; the others are copies of fixtures in the tests named
beside them. scripts/test.sh copies these files into a temporary corpus, so runs never change them.
Rerun after changing a fixture: python3 fuzz/make_corpus.py
The seeds of labels/, abuse/, truth/, simulate/ and sensor_logs/ are written by hand (one small file per input
format) and this script leaves them alone; scripts/test.sh adds small files from ../shared/data where present.
"""
import os
import re
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")


def hx(text):
    return bytes.fromhex("".join(text.split()))


def write(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


def tls_fixtures():
    text = open(os.path.join(ROOT, "tests", "probe", "tls_fixtures.h")).read()
    for name, body in re.findall(r"constexpr const char (k\w+)\[\] =\s*((?:\"[0-9a-f]*\"\s*)+);", text):
        yield name, hx("".join(re.findall(r"\"([0-9a-f]*)\"", body)))


# tests/probe/http_test.cc (kZgrab, the POST with a folded header, a version-less request with headers) and
# a non-UTF-8 header value
HTTP = {
    "zgrab": b"GET / HTTP/1.1\r\nHost: 1.2.3.4\r\nUser-Agent: Mozilla/5.0 zgrab/0.x\r\nAccept: */*\r\n"
             b"Accept-Encoding: gzip\r\n\r\n",
    "post_folded": b"POST /a?b=c HTTP/1.1\r\nHost: x\r\nUser-Agent: y\r\n z\r\nContent-Length: 5\r\n\r\nhello",
    "binary_header": b"GET / HTTP/1.1\r\nX-Bin: \xff\xfe\x80\r\n\r\n",
    # a request line without a version, then headers (NoVersionFollowedByHeadersReadsThem)
    "no_version_headers": b"GET /cgi-bin/test.cgi\r\nHost: a\r\nUser-Agent: Mozilla/5.0 (scan)\r\n\r\n",
}
# tests/probe/dns_test.cc: kSimple (dig www.example.com A) and kEdns (OPT RR, COOKIE, padding)
DNS = {
    "simple": hx("1234 0100 0001 0000 0000 0000 03 777777 07 6578616d706c65 03 636f6d 00 0001 0001"),
    "edns": hx("6bb3 0120 0001 0000 0000 0001 07 6578616d706c65 03 6e6574 00 fffe 0001"
               "00 0029 04d0 00 00 8000 0014 000a 0008 0102030405060708 000c 0004 00000000"),
}
# tests/probe/ssh_test.cc: a banner, and OpenSSH 5.3's banner with its KEXINIT (Arkime's ssh2.pcap)
SSH = {
    "go_banner": b"SSH-2.0-Go\r\n",
    "openssh53": b"SSH-2.0-OpenSSH_5.3\r\n" + hx(
        "000003140814c639665f5425dcb80bf9f0a048380a410000007e6469666669652d68656c6c6d616e2d67726f75702d65"
        "786368616e67652d7368613235362c6469666669652d68656c6c6d616e2d67726f75702d65786368616e67652d736861"
        "312c6469666669652d68656c6c6d616e2d67726f757031342d736861312c6469666669652d68656c6c6d616e2d67726f"
        "7570312d736861310000000f7373682d7273612c7373682d6473730000009d6165733132382d6374722c616573313932"
        "2d6374722c6165733235362d6374722c617263666f75723235362c617263666f75723132382c6165733132382d636263"
        "2c336465732d6362632c626c6f77666973682d6362632c636173743132382d6362632c6165733139322d6362632c6165"
        "733235362d6362632c617263666f75722c72696a6e6461656c2d636263406c797361746f722e6c69752e73650000009d"
        "6165733132382d6374722c6165733139322d6374722c6165733235362d6374722c617263666f75723235362c61726366"
        "6f75723132382c6165733132382d6362632c336465732d6362632c626c6f77666973682d6362632c636173743132382d"
        "6362632c6165733139322d6362632c6165733235362d6362632c617263666f75722c72696a6e6461656c2d636263406c"
        "797361746f722e6c69752e736500000069686d61632d6d64352c686d61632d736861312c756d61632d3634406f70656e"
        "7373682e636f6d2c686d61632d726970656d643136302c686d61632d726970656d64313630406f70656e7373682e636f"
        "6d2c686d61632d736861312d39362c686d61632d6d64352d393600000069686d61632d6d64352c686d61632d73686131"
        "2c756d61632d3634406f70656e7373682e636f6d2c686d61632d726970656d643136302c686d61632d726970656d6431"
        "3630406f70656e7373682e636f6d2c686d61632d736861312d39362c686d61632d6d64352d39360000001a6e6f6e652c"
        "7a6c6962406f70656e7373682e636f6d2c7a6c69620000001a6e6f6e652c7a6c6962406f70656e7373682e636f6d2c7a"
        "6c6962000000000000000000000000000000000000000000"),
}
# tests/probe/rdp_test.cc: Arkime's cookie + RDP_NEG_REQ, nmap's cookie probe, the bare request
RDP = {
    "arkime": hx("0300002d 28 e0 0000 0001 00 436f6f6b69653a206d737473686173683d726470757365720d0a"
                 "01 00 0800 03000000"),
    "nmap_cookie": hx("0300002a 25 e0 0000 0000 00") + b"Cookie: mstshash=nmap\r\n" + hx("01 00 0800 03000000"),
    "bare": hx("0300000b 06 e0 0000 0000 00"),
}
# hostile cells and lines for the CSV writer and term_safe
CSV = {
    "formula": b"=HYPERLINK(\"http://x\",\"y\")",
    "dde": b"=cmd|' /C calc'!A0",
    "escapes": b"\x1b]52;c;ZWNobw==\x07\x1b[2J\r\n\x00",
    "utf8": "Überwachung 監視 \u202e\u0085".encode() + b"\xff\xc0\xaf",
    "number": struct.pack("<q", -3) + b"@SUM(1)",
}


def ipv4(src, dst, proto, payload):
    total = 20 + len(payload)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0, 64, proto, 0, bytes(src), bytes(dst)) + payload


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


def session(client, server, cport, sport, segments):
    """Raw IPv4 packets of one TCP session (as tests/support/frames.h tcp_session builds them)."""
    c, s = (1000, 50000)
    out = [ipv4(client, server, 6, tcp(cport, sport, c, 0, 0x02)),
           ipv4(server, client, 6, tcp(sport, cport, s, c + 1, 0x12)),
           ipv4(client, server, 6, tcp(cport, sport, c + 1, s + 1, 0x10))]
    seq = c + 1
    for seg in segments:
        out.append(ipv4(client, server, 6, tcp(cport, sport, seq, s + 1, 0x18, seg)))
        seq += len(seg)
    out.append(ipv4(client, server, 6, tcp(cport, sport, seq, s + 1, 0x11)))
    return out


def ether(ip):
    return bytes(range(12)) + b"\x08\x00" + ip


def main():
    for name, data in tls_fixtures():
        write("tls", name, data)
    for target, seeds in (("http", HTTP), ("dns", DNS), ("ssh", SSH), ("rdp", RDP), ("csv", CSV)):
        for name, data in seeds.items():
            write(target, name, data)
    # the sensor's DNS answer: the analyzer's queries and the CHAOS version.bind query it answers with a TXT
    for name, data in DNS.items():
        write("sense_dns", name, data)
    write("sense_dns", "version_bind", hx("abcd 0100 0001 0000 0000 0000 07 76657273696f6e 04 62696e64 00 0010 0003"))

    scanner, sensor = (198, 51, 100, 7), (192, 0, 2, 1)
    http = session(scanner, sensor, 40001, 80, [HTTP["zgrab"]])
    tls = session(scanner, sensor, 40002, 443, [next(tls_fixtures())[1]])
    dns = [ipv4((203, 0, 113, 10), sensor, 17, struct.pack("!HHHH", 5353, 53, 8 + len(DNS["simple"]), 0) + DNS["simple"])]
    # fuzz_decode: the first byte picks the link type (0 Ethernet, 1 raw IP, 7 Cisco HDLC; fuzz_decode.cc)
    write("decode", "ether_http", b"\x00" + ether(http[3]))
    write("decode", "raw_dns", b"\x01" + dns[0])
    write("decode", "chdlc_http", b"\x07" + b"\x0f\x00\x08\x00" + http[3])
    # 802.3 length field, then 802.2 LLC/SNAP (AA AA 03, OUI 00-00-00, EtherType 0x0800)
    snap = b"\xaa\xaa\x03\x00\x00\x00\x08\x00" + http[3]
    write("decode", "llc_snap_http", b"\x00" + bytes(range(12)) + struct.pack("!H", len(snap)) + snap)
    # PPPoE session with the PPP protocol field compressed to one byte (0x21, RFC 1661 section 6.5)
    ppp = b"\x21" + http[3]
    pppoe = struct.pack("!BBHH", 0x11, 0, 0x1234, len(ppp)) + ppp
    write("decode", "pppoe_pfc_http", b"\x00" + bytes(range(12)) + b"\x88\x64" + pppoe)
    # fuzz_session: frames as 2-byte length, 1-byte time step, raw IP
    for name, packets in (("http", http), ("tls", tls), ("mixed", http[:3] + dns + http[3:])):
        write("session", name, b"".join(struct.pack("!HB", len(p), 0) + p for p in packets))
    # fuzz_capture: a pcap file of the HTTP and TLS sessions on Ethernet
    pcap = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for i, p in enumerate(http + tls):
        frame = ether(p)
        pcap += struct.pack("<IIII", 1736121600, i * 100, len(frame), len(frame)) + frame
    write("capture", "http_tls.pcap", pcap)


if __name__ == "__main__":
    main()
