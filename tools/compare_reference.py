#!/usr/bin/env python3
"""Our evaluation next to the paper's: per-organisation scanner-level table (paper Table 8 for the one-time
protocol, Table 6 for the incremental one's final week), probe-level weighted F1 (Table 12) and, for the
incremental protocol, the weekly weighted-F1 series next to the reference notebook's.

usage: compare_reference.py EVAL_JSON REFERENCE_JSON one-time|incremental [WEEKLY_JSONL]
EVAL_JSON is `scannergrouper evaluate --format json`; censys+driftnet is the paper's name for our 'unknown'.
"""
import json
import sys


def fmt(v):
    return "   -  " if v is None else f"{v:6.2f}"


def main():
    ours = json.load(open(sys.argv[1]))
    ref = json.load(open(sys.argv[2]))
    protocol = sys.argv[3]
    if protocol == "one-time":
        paper = ref["sg_f_sd25"]["paper_table_8"]["scannergrouper_f"]
        title = "SelfDeploy-25, one-time (paper Table 8)"
    else:
        paper = ref["sg_i_sd25_final_week"]["paper_table_6"]["scannergrouper_i"]
        title = "SelfDeploy-25, incremental, final week (paper Table 6)"
    classes = ours["scanners"]["classes"]
    print(title)
    print(f"{'organisation':<18} {'ours P':>7} {'R':>6} {'F1':>6} {'n':>6}   {'paper P':>7} {'R':>6} {'F1':>6} {'n':>6}")
    names = sorted(set(k for k in paper if k not in ("accuracy", "macro avg", "weighted avg")) |
                   set("censys+driftnet" if k == "unknown" else k for k in classes))
    for name in names:
        o = classes.get("unknown" if name == "censys+driftnet" else name)
        p = paper.get(name)
        left = (f"{fmt(o['precision'])} {fmt(o['recall'])} {fmt(o['f1'])} {o['support']:6d}" if o
                else f"{'':>6} {'':>6} {'':>6} {'':>6}")
        right = (f"{fmt(p.get('precision'))} {fmt(p.get('recall'))} {fmt(p.get('f1'))} {p.get('support', 0) or 0:6d}"
                 if p else "")
        print(f"{name:<18} {left}   {right}")
    w = ours["scanners"]["weighted"]
    pw = paper["weighted avg"]
    print(f"{'weighted avg':<18} {fmt(w['precision'])} {fmt(w['recall'])} {fmt(w['f1'])} {w['support']:6d}   "
          f"{fmt(pw['precision'])} {fmt(pw['recall'])} {fmt(pw['f1'])} {pw.get('support', 0):6d}")
    if protocol == "one-time":
        iomatch = ref["probe_level"]["paper_table_12"]["IOMatch"]
        print("\nProbe level, weighted F1 (paper Table 12, SelfDeploy-25)")
        for svc in ("http", "tls", "dns"):
            o = ours["probes"].get(svc, {}).get("weighted", {}).get("f1")
            print(f"  {svc:<5} ours {fmt(o)}   paper {fmt(iomatch.get('SelfDeploy25/' + svc.upper()))}")
    if len(sys.argv) > 4:
        series = {r["test_week"]: r["weighted_f1"] for r in ref["sg_i_sd25_weekly"]["weighted_f1_series"]}
        print("\nWeekly weighted F1 (scanner level): ours vs the reference notebook")
        for line in open(sys.argv[4]):
            r = json.loads(line)
            print(f"  {r['week']}  ours {fmt(r['scanners']['weighted']['f1'])} (n={r['scanners']['rows']:5d})"
                  f"   reference {fmt(series.get(r['week']))}")


if __name__ == "__main__":
    main()
