#!/usr/bin/env python3
"""Compare a probe skeleton with what `ingest` stored from its replay.

Per (organisation, service): probes and distinct scanner addresses in the skeleton and in the database
(the database's probes are given the skeleton's organisation of their source address). Exit status 1
when any count differs.

  scannergrouper simulate --scenario replay --skeleton SKELETON --out DIR/
  scannergrouper ingest --db DB --sensor-net 192.0.2.0/28 DIR/
  tools/replay_compare.py SKELETON DB
"""
import collections
import gzip
import sqlite3
import sys


def skeleton_counts(path):
    probes, ips, org_of = collections.Counter(), collections.defaultdict(set), {}
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        for n, line in enumerate(f):
            fields = line.rstrip("\n").split("\t")
            if n == 0 and fields[0] == "ts":
                continue
            ts, src, service, org = fields[:4]
            probes[(org, service)] += 1
            ips[(org, service)].add(src)
            ips[(org, "all")].add(src)
            org_of[src] = org
    return probes, ips, org_of


def db_counts(path, org_of):
    probes, ips, stray = collections.Counter(), collections.defaultdict(set), collections.Counter()
    db = sqlite3.connect(path)
    for src, service, n in db.execute("SELECT src, service, count(*) FROM probes GROUP BY src, service"):
        org = org_of.get(src)
        if org is None:
            stray[service] += n
            continue
        probes[(org, service)] += n
        ips[(org, service)].add(src)
        ips[(org, "all")].add(src)
    return probes, ips, stray


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sk_probes, sk_ips, org_of = skeleton_counts(sys.argv[1])
    db_probes, db_ips, stray = db_counts(sys.argv[2], org_of)
    keys = sorted(set(sk_ips) | set(db_ips))
    print(f"{'org':<16} {'service':<7} {'probes(skel)':>12} {'probes(db)':>10} {'ips(skel)':>9} {'ips(db)':>7}  match")
    bad = 0
    for org, service in keys:
        sp, dp = sk_probes.get((org, service), 0), db_probes.get((org, service), 0)
        if service == "all":
            sp = sum(v for (o, s), v in sk_probes.items() if o == org)
            dp = sum(v for (o, s), v in db_probes.items() if o == org)
        si, di = len(sk_ips.get((org, service), ())), len(db_ips.get((org, service), ()))
        ok = sp == dp and si == di
        bad += not ok
        print(f"{org:<16} {service:<7} {sp:>12} {dp:>10} {si:>9} {di:>7}  {'yes' if ok else 'NO'}")
    total_sk, total_db = sum(sk_probes.values()), sum(db_probes.values())
    print(f"total probes: skeleton {total_sk}, database {total_db}; probes from addresses not in the skeleton: "
          f"{dict(stray) or 0}; rows that differ: {bad}")
    sys.exit(1 if bad or stray else 0)


if __name__ == "__main__":
    main()
