#!/usr/bin/env python3
"""Per report, the share of differing leaves left unexplained.

    benches/cause-coverage.py report.json [report.json ...]

A leaf is a differing node with no differing members; it is unexplained
when `content` is among its causes (no other cause accounts for its
bytes). Prints, per report: leaves, unexplained leaves and their share,
reader errors, the first root causes, and a few unexplained addresses.
Exits 1 if a report has reader errors.
"""
import json
import sys


def walk(n, leaves, errors):
    if n.get("errors"):
        errors.append(n["address"])
    kids = n.get("children") or []
    if not kids and n["status"] != "identical" and n["address"]:
        leaves.append(n)
    for c in kids:
        walk(c, leaves, errors)


def main(paths):
    bad = False
    for p in paths:
        r = json.load(open(p))
        leaves, errors = [], []
        walk(r["tree"], leaves, errors)
        un = [n for n in leaves if "content" in (n.get("causes") or [])]
        share = 100 * len(un) / max(1, len(leaves))
        causes = "; ".join(f"{g['cause']}:{g['count']}" for g in r["groups"][:6])
        print(f"{p}: {len(leaves)} leaves, {len(un)} unexplained ({share:.0f}%), "
              f"{len(errors)} with errors; {causes}")
        for n in un[:3]:
            print(f"    unexplained: {n['address']}")
        bad |= bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
