#!/usr/bin/env python3
"""Every answer of a running `scannergrouper serve` for a list of paths, one line each: path, status and
the body's SHA-256 and length (`--bodies` writes the bodies instead). Two runs compare answers byte for
byte, for example before and after a change to how answers are built:

    python3 bench/serve_answers.py PORT IPS_FILE > before.txt    # ips as /v1/ip/{ip}; then after.txt
    cmp before.txt after.txt
"""
import hashlib
import http.client
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: serve_answers.py PORT IPS_FILE [--bodies]")
    port = int(sys.argv[1])
    bodies = "--bodies" in sys.argv[3:]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    with open(sys.argv[2]) as f:
        paths = [l.strip() for l in f if l.strip()]
    out = sys.stdout.buffer
    for p in paths:
        path = p if p.startswith("/") else "/v1/ip/" + p
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        if bodies:
            out.write(b"%s\t%d\t%s\n" % (path.encode(), r.status, body))
        else:
            out.write(b"%s\t%d\t%s\t%d\n" % (path.encode(), r.status, hashlib.sha256(body).hexdigest().encode(),
                                              len(body)))


if __name__ == "__main__":
    main()
