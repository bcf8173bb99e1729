#!/usr/bin/env python3
"""Benchmark (not a test): brief at scale, every figure printed, medians,
compared within one run.

Usage: bench/scale.py [--posts N] [--compare M] [--recipients R] [--reps K]
       (defaults: N=10000, M=500, R=30, K=3; --posts 0 skips part 1;
       run from anywhere)

Prints:
  1. N generated posts (../shared/bench/make_corpus.py), all editions,
     --jobs 2, one run: wall time, CPU time, peak RSS, posts/s and
     posts/s per core (wall and CPU);
  2. M posts, all editions, --jobs 1 against --jobs 2, K runs of each in
     alternation: medians, the cores each kept busy (CPU / wall), and the
     speed-up (of the medians, and run by run); and, in the same rounds,
     the machine's own ceiling for it: two separate --jobs 1 builds of
     M/2 posts each, run at the same time, against one --jobs 1 build of
     M (nothing is shared between two processes, so what they lose is
     the hardware's: two busy cores of a VM are not twice one);
  3. a packet of six briefs to R recipients, PDF only, --jobs 1: the cost
     of the general copy, of the first addressed copy and of the k-th
     (median of the rest), and the whole packet against one copy.
BRIEF_BIN=PATH measures that binary instead of building this checkout.
Every run goes through ../shared/bench/timed_run.py, which reports how busy
the rest of the machine was (`contended`): compare ratios within a run.
"""
import argparse
import functools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

print = functools.partial(print, flush=True)  # figures as they come
ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench"


def brief_binary():
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--manifest-path", str(ROOT / "Cargo.toml")],
        check=True,
    )
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps",
         "--manifest-path", str(ROOT / "Cargo.toml")],
        check=True, capture_output=True, text=True,
    )
    return Path(json.loads(meta.stdout)["target_directory"]) / "release" / "brief"


def timed(cmd, cwd, reps, setup):
    """Medians of `reps` runs of `cmd` (timed_run.py's summary line)."""
    out = subprocess.run(
        [sys.executable, str(BENCH / "timed_run.py"), "--reps", str(reps),
         "--idle-wait", os.environ.get("IDLE_WAIT", "60"),
         # A contended run is retried up to three times; MAX_FOREIGN=1e9
         # keeps the first (flagged) on a machine that is never idle.
         "--max-foreign", os.environ.get("MAX_FOREIGN", "0.5"),
         "--setup", setup, "--", *cmd],
        cwd=cwd, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["summary"]


def project(dir, posts, seed):
    (dir / "content").parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(BENCH / "make_corpus.py"), str(seed), str(dir / "content"), str(posts)],
        check=True, capture_output=True,
    )
    (dir / "brief.toml").write_text('[project]\norganisation = "Desk"\n')


def flag(s):
    return "contended" if s["any_contended"] else "quiet"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=10000)
    ap.add_argument("--compare", type=int, default=500)
    ap.add_argument("--recipients", type=int, default=30)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    # BRIEF_BIN: a copy of the binary, so rebuilding during a long run
    # does not change what is measured.
    brief = os.environ.get("BRIEF_BIN") or str(brief_binary())
    seed = next((ROOT / "content").glob("*networks.md"))
    work = Path(tempfile.mkdtemp(prefix="brief-scale-"))
    try:
        # 1. N posts, all editions, two workers (--posts 0 skips it).
        if args.posts > 0:
            big = work / "big"
            project(big, args.posts, seed)
            s = timed([brief, "build", "--quiet", "--no-cache", "--jobs", "2", "--out", "out"],
                      big, 1, f"rm -rf {big}/out")
            wall, cpu = s["median_wall_s"], s["median_cpu_s"]
            print(f"{args.posts} posts, all editions, --jobs 2 ({flag(s)}): "
                  f"wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {s['max_rss_kb'] / 1024:.0f} MB; "
                  f"{args.posts / wall:.1f} posts/s, {args.posts / wall / 2:.1f} posts/s per core "
                  f"(by CPU time {args.posts / cpu:.1f} posts/s per core)")
            shutil.rmtree(big)

        # 2. --jobs 1 against --jobs 2, run in alternation (this machine's
        # speed drifts over minutes: two series run one after the other
        # compare the drift as much as the builds).
        mid = work / "mid"
        project(mid, args.compare, seed)
        halves = [work / "half-a", work / "half-b"]
        for half in halves:
            project(half, args.compare // 2, seed)
        build = [brief, "build", "--quiet", "--no-cache", "--jobs"]
        two_at_once = (f"( cd {halves[0]} && {' '.join(build)} 1 --out out ) & "
                       f"( cd {halves[1]} && {' '.join(build)} 1 --out out ) & wait")
        runs = {1: [], 2: [], "two": []}
        for _ in range(args.reps):
            for jobs in (1, 2):
                runs[jobs].append(timed(build + [str(jobs), "--out", "out"],
                                        mid, 1, f"rm -rf {mid}/out"))
            runs["two"].append(timed(["sh", "-c", two_at_once], work, 1,
                                     f"rm -rf {halves[0]}/out {halves[1]}/out"))
        wall = {j: statistics.median(r["median_wall_s"] for r in runs[j]) for j in (1, 2)}
        cores = {j: statistics.median(r["median_cpu_s"] / r["median_wall_s"] for r in runs[j])
                 for j in (1, 2)}
        pairs = [a["median_wall_s"] / b["median_wall_s"] for a, b in zip(runs[1], runs[2])]
        ceiling = [a["median_wall_s"] / b["median_wall_s"] for a, b in zip(runs[1], runs["two"])]
        contended = any(r["any_contended"] for j in (1, 2) for r in runs[j])
        print(f"{args.compare} posts, all editions, medians of {args.reps} alternating runs "
              f"({'contended' if contended else 'quiet'}): "
              f"--jobs 1 {wall[1]:.2f} s ({cores[1]:.2f} cores busy), "
              f"--jobs 2 {wall[2]:.2f} s ({cores[2]:.2f} cores busy): {wall[1] / wall[2]:.2f}x "
              f"(run by run: {', '.join(f'{x:.2f}' for x in pairs)})")
        two = statistics.median(r["median_wall_s"] for r in runs["two"])
        print(f"  the machine's ceiling, same rounds: two --jobs 1 builds of {args.compare // 2} posts "
              f"at once {two:.2f} s against one --jobs 1 build of {args.compare}: "
              f"{wall[1] / two:.2f}x (run by run: {', '.join(f'{x:.2f}' for x in ceiling)}); "
              f"--jobs 2 reaches {wall[1] / wall[2] / (wall[1] / two):.0%} of it")

        # 3. Addressed copies of one packet.
        pk = work / "packet"
        project(pk, 6, seed)
        slugs = sorted(
            re.search(r'^slug: "?([^"\n]+)"?$', p.read_text(), re.M).group(1)
            for p in (pk / "content").glob("*.md"))
        recipients = ", ".join(f'"Embassy of Country {i}"' for i in range(1, args.recipients + 1))
        (pk / "brief.toml").write_text(
            '[project]\norganisation = "Desk"\n\n[[packet]]\nname = "big"\ntitle = "Big"\n'
            f'date = "2025-09-02"\nbriefs = {json.dumps(slugs)}\nrecipients = [{recipients}]\n'
        )
        costs = {}
        for _ in range(args.reps):
            out = subprocess.run(
                [brief, "build", "--no-cache", "--verbose", "--format", "pdf", "--jobs", "1",
                 "--out", "out"], cwd=pk, capture_output=True, text=True, check=True)
            for line in out.stderr.splitlines():
                m = re.match(r"rendered (\S+) in ([0-9.]+) s", line)
                if m and "/packets/" in m.group(1):
                    costs.setdefault(m.group(1), []).append(float(m.group(2)))
            shutil.rmtree(pk / "out")
        median = {k: statistics.median(v) for k, v in costs.items()}
        general = median.pop("out/packets/big.pdf")
        order = [f"out/packets/big/embassy-of-country-{i}.pdf" for i in range(1, args.recipients + 1)]
        first, rest = median[order[0]], [median[k] for k in order[1:]]
        total = general + first + sum(rest)
        print(f"packet of 6 briefs to {args.recipients} recipients, PDF, --jobs 1 (medians of {args.reps}): "
              f"general copy {general:.2f} s, first addressed copy {first:.2f} s, "
              f"k-th copy (median of the other {len(rest)}) {statistics.median(rest):.2f} s; "
              f"all {args.recipients + 1} copies {total:.1f} s = {total / general:.1f}x one copy")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
