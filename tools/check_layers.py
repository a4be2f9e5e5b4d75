#!/usr/bin/env python3
"""Fails when a file under src/ includes a header of a higher layer than its own.

The order lives in tools/layers.txt. Peers (folders on one line) may not
include each other either: they are independent by design.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)


def load_layers():
    rank = {}
    for level, line in enumerate(
            l for l in (ROOT / "tools" / "layers.txt").read_text().splitlines()
            if l.strip() and not l.lstrip().startswith("#")):
        for folder in line.split():
            rank[folder] = level
    return rank


def main():
    rank = load_layers()
    errors = []
    for path in sorted((ROOT / "src").rglob("*")):
        if path.suffix not in (".h", ".cc") or not path.is_file():
            continue
        rel = path.relative_to(ROOT / "src")
        if len(rel.parts) < 2:
            continue  # src/main.cc sits above every layer
        own = rel.parts[0]
        if own not in rank:
            errors.append(f"src/{rel}: folder '{own}' is not listed in tools/layers.txt")
            continue
        for match in INCLUDE.finditer(path.read_text(errors="replace")):
            dep = match.group(1)
            if dep == own or dep not in rank:
                continue
            if rank[dep] > rank[own]:
                errors.append(f"src/{rel}: includes {dep}/ (layer {rank[dep]}) from {own}/ (layer {rank[own]})")
            elif rank[dep] == rank[own]:
                errors.append(f"src/{rel}: includes its peer {dep}/; peers stay independent")
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} layering violation(s); see tools/layers.txt")
        return 1
    print("layers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
