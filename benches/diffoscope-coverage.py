#!/usr/bin/env python3
"""Every difference diffoscope finds must also be in reprodiff's report.

Reads diffoscope's text output and reprodiff's JSON report of the same pair
and prints each address diffoscope names as different that the JSON report
has no node for. Exits 1 if there is one, so a bench run cannot claim
coverage it does not have.

diffoscope names differences two ways, and both are collected:
- section headers naming a member (`├── live/filesystem.squashfs`, then
  `│ ├── /etc/issue` inside it), nested by the `│ ` prefix;
- changed lines (`-`/`+`) of its listings (`file list` of ISO, ar and tar
  members, `unsquashfs -lls` of a SquashFS), each naming one entry.

Its container chain maps onto reprodiff's `::` addresses: a decompressed
layer diffoscope shows as a child (`data.tar.xz` then `data.tar`) is
transparent in reprodiff, and SquashFS paths lose their leading `/`.

    benches/diffoscope-coverage.py diffoscope.txt report.json
"""

import json
import re
import sys

# Section headers that are tools or views, not members.
LABELS = {"file list", "filetype from file(1)", "encoding", "metadata"}
LISTINGS = ("file list", "unsquashfs -d  -lls {}", "unsquashfs -lls {}")
COMPRESSED = (".gz", ".xz", ".zst", ".bz2", ".lz4", ".lzma")
# A listing line: ... DATE TIME NAME [-> TARGET]
ENTRY = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2}(?:\.\d+)?)? (.+)$")


def is_label(name):
    return name in LABELS or "{}" in name


def address(chain):
    """reprodiff's address for diffoscope's chain of member names."""
    parts = []
    for name in chain:
        if parts and any(parts[-1] == name + ext for ext in COMPRESSED):
            continue  # the decompressed view of the member before it
        parts.append(name.lstrip("/") if parts else name)
    return "::".join(parts)


def expected(lines):
    """Addresses diffoscope reports as different, with where it said so."""
    stack = []  # member or label names by depth
    found = {}
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        depth = 0
        while line.startswith("│ "):
            line = line[2:]
            depth += 1
        if line.startswith(("├── ", "└── ")):
            del stack[depth:]
            stack.append(line[4:])
            members = [s for s in stack if not is_label(s)]
            if not is_label(stack[-1]) and members:
                found.setdefault(address(members), n)
            continue
        if not stack or depth != len(stack) or stack[-1] not in LISTINGS:
            continue
        if not line[:1] in "-+" or line.startswith(("---", "+++")):
            continue
        m = ENTRY.search(line[1:])
        if not m:
            continue
        name = m.group(1).split(" -> ")[0]
        members = [s for s in stack if not is_label(s)]
        found.setdefault(address(members + [name]), n)
    return found


def reported(report):
    out = set()
    todo = [report["tree"]]
    while todo:
        node = todo.pop()
        if node["status"] != "identical":
            out.add(node["address"])
        todo.extend(node.get("children", []))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        want = expected(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        have = reported(json.load(f))
    missing = sorted(a for a in want if a not in have)
    for a in missing:
        print(f"  not in reprodiff's report: {a} (diffoscope line {want[a]})")
    print(
        f"diffoscope names {len(want)} differing entries; "
        f"reprodiff's report has {len(want) - len(missing)} of them, "
        f"and {len(have)} differing nodes in all"
    )
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
