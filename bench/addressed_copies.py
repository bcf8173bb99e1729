#!/usr/bin/env python3
"""Benchmark (not a test): what addressed copies of a packet cost.

Usage: bench/addressed_copies.py [--recipients R] [--reps K]
                                 [--compare-templates DIR]
       (defaults: R=100, K=3; run from anywhere)

A packet of six generated briefs (../shared/bench/make_corpus.py from the
sample post) to R recipients, PDF only, --jobs 1, --no-cache. Prints,
medians of K builds:
  - the general copy, the first addressed copy and the k-th (median of the
    others), from `brief build --verbose`'s "rendered … in … s" lines;
  - the whole build with R recipients against the same build with none
    (the general copy alone): the figure the scale issue asks to keep
    under 3x.
With --compare-templates DIR the same figures come first for a project
whose templates/ folder is DIR (a variant of packet.typ beside
brief.typ; it must read `data.part`, as packet.typ does since
2026-12-02: brief refuses an older one), in the same run, builds
alternating, so the two can be compared on one machine at one time. To
compare builds of brief, run the script once with each BRIEF_BIN.
BRIEF_BIN=PATH measures that binary instead of building this checkout.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (same folder: its corpus and binary helpers)

print = scale.print


def packet_project(dir, recipients, seed, templates):
    scale.project(dir, 6, seed)
    slugs = sorted(
        re.search(r'^slug: "?([^"\n]+)"?$', p.read_text(), re.M).group(1)
        for p in (dir / "content").glob("*.md"))
    names = ", ".join(f'"Embassy of Country {i}"' for i in range(1, recipients + 1))
    (dir / "brief.toml").write_text(
        '[project]\norganisation = "Desk"\n\n[[packet]]\nname = "big"\ntitle = "Big"\n'
        f'date = "2025-09-02"\nbriefs = {json.dumps(slugs)}\nrecipients = [{names}]\n')
    if templates:
        shutil.copytree(templates, dir / "templates")


def one_build(brief, dir):
    """Wall seconds of the build and each packet PDF's own seconds."""
    shutil.rmtree(dir / "out", ignore_errors=True)
    start = time.monotonic()
    out = subprocess.run(
        [brief, "build", "--no-cache", "--verbose", "--format", "pdf", "--jobs", "1",
         "--out", "out"], cwd=dir, capture_output=True, text=True, check=True)
    wall = time.monotonic() - start
    costs = {}
    for line in out.stderr.splitlines():
        m = re.match(r"rendered (\S+) in ([0-9.]+) s", line)
        if m and "/packets/" in m.group(1):
            costs[m.group(1)] = float(m.group(2))
    return wall, costs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipients", type=int, default=100)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--compare-templates", type=Path)
    args = ap.parse_args()
    brief = Path(os.environ["BRIEF_BIN"]) if "BRIEF_BIN" in os.environ else scale.brief_binary()
    seed = scale.ROOT / "content"
    seed = next(p for p in sorted(seed.rglob("*.md")) if not p.name.endswith(".ko.md"))
    work = Path(tempfile.mkdtemp(prefix="brief-addressed-"))
    variants = [("this checkout's templates", None)]
    if args.compare_templates:
        variants.insert(0, (f"templates from {args.compare_templates}",
                            args.compare_templates.resolve()))
    try:
        projects = []
        for i, (name, templates) in enumerate(variants):
            many, alone = work / f"v{i}-many", work / f"v{i}-alone"
            packet_project(many, args.recipients, seed, templates)
            packet_project(alone, 0, seed, templates)
            projects.append((name, many, alone))
        results = {name: {"many": [], "alone": [], "costs": {}} for name, _, _ in projects}
        for _ in range(args.reps):
            for name, many, alone in projects:  # alternating, so load hits all alike
                wall, costs = one_build(brief, many)
                results[name]["many"].append(wall)
                for k, v in costs.items():
                    results[name]["costs"].setdefault(k, []).append(v)
                results[name]["alone"].append(one_build(brief, alone)[0])
        for name, _, _ in projects:
            r = results[name]
            median = {k: statistics.median(v) for k, v in r["costs"].items()}
            general = median.pop("out/packets/big.pdf")
            order = [f"out/packets/big/embassy-of-country-{i}.pdf"
                     for i in range(1, args.recipients + 1)]
            first, rest = median[order[0]], [median[k] for k in order[1:]]
            many, alone = statistics.median(r["many"]), statistics.median(r["alone"])
            print(f"{name}: packet of 6 briefs to {args.recipients} recipients, PDF, --jobs 1, "
                  f"medians of {args.reps}: general copy {general:.2f} s, first addressed copy "
                  f"{first:.2f} s, k-th copy (median of the other {len(rest)}) "
                  f"{statistics.median(rest):.3f} s = {statistics.median(rest) / general:.2f}x "
                  f"the general copy; whole build {many:.1f} s against {alone:.2f} s with no "
                  f"recipients = {many / alone:.1f}x one copy")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
