#!/usr/bin/env python3
"""Benchmark (not a test): two ways of keeping Korean words whole in the PDF.

Usage: bench/korean_keep_all.py [--reps R]     (R default 5; run from
anywhere; needs ../shared beside the checkout)

Typst breaks Hangul between any two syllables (typst/typst#1164). brief
keeps each Korean word whole by setting it in one unbreakable box (the
shipped way, "box"). The other way is plain text with U+2060 WORD JOINER
between its syllables ("joiner"), which the same binary produces when run
with BRIEF_BENCH_KOREAN_JOINER=1 (a switch for this script only): the same
Typst, templates, fonts and data, only those nodes differ.

Two folders, each built `--format pdf --no-cache` both ways, timed with
../shared/bench/timed_run.py (medians of R; each run flagged when the rest
of the machine was busy): the Korean sample (content/*.ko.md) and the real
Korean posts of ../shared/corpus/real (react-dev-ko, no `lang:`: inferred).
Then per PDF: ../shared/bench/ko_breaks.py (lines ending inside a Korean
word / lines ending in Hangul), run on the text layer as pdftotext gives
it and again with U+2060 removed (ko_breaks does not know the joiner: a
word carrying it is in no source word, so a break inside it would not be
counted), the U+2060 characters left in the text layer (what copying and
searching the PDF meet), word_survival's cjk_chars, and the PDF's size.
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
BENCH = os.path.join(SHARED, "bench")
MODES = {"box": {}, "joiner": {"BRIEF_BENCH_KOREAN_JOINER": "1"}}


def brief_binary():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return os.path.join(json.loads(meta)["target_directory"], "release", "brief")


def project(work, name, posts):
    folder = os.path.join(work, name)
    os.makedirs(os.path.join(folder, "content"))
    for post in posts:
        shutil.copy(post, os.path.join(folder, "content"))
    with open(os.path.join(folder, "brief.toml"), "w") as f:
        f.write('[project]\nlang = "en"\n')
    return folder


def timed(cmd, env, reps):
    args = [sys.executable, os.path.join(BENCH, "timed_run.py"), "--reps", str(reps),
            "--idle-wait", os.environ.get("IDLE_WAIT", "20"),
            "--max-foreign", os.environ.get("MAX_FOREIGN", "0.5")]
    out = subprocess.run(args + ["--"] + cmd, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["summary"]


def ko_breaks(source, pdf, strip_joiner, shim):
    env = dict(os.environ)
    if strip_joiner:
        env["PATH"] = shim + os.pathsep + env["PATH"]
    out = subprocess.run([sys.executable, os.path.join(BENCH, "ko_breaks.py"), source, pdf],
                         env=env, check=True, capture_output=True, text=True).stdout
    broken, total = out.split()
    return int(broken), int(total)


def pdftotext_shim(work):
    """A `pdftotext` that drops U+2060 from what the real one prints."""
    folder = os.path.join(work, "shim")
    os.makedirs(folder)
    real = shutil.which("pdftotext")
    path = os.path.join(folder, "pdftotext")
    with open(path, "w") as f:
        f.write(f"#!/bin/sh\n{real} \"$@\" | {sys.executable} -c "
                "\"import sys; sys.stdout.write(sys.stdin.read().replace('\\u2060', ''))\"\n")
    os.chmod(path, 0o755)
    return folder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    brief = brief_binary()
    work = tempfile.mkdtemp(prefix="korean-keep-all-")
    shim = pdftotext_shim(work)
    sets = {
        "sample": sorted(glob.glob(os.path.join(ROOT, "content", "*.ko.md"))),
        "real": sorted(glob.glob(os.path.join(SHARED, "corpus", "real", "react-dev-ko", "*.md"))),
    }
    print(f"# {subprocess.run([brief, '--version'], capture_output=True, text=True).stdout.strip()}; "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at the start")
    for name, posts in sets.items():
        for mode, extra in MODES.items():
            folder = project(work, f"{name}-{mode}", posts)
            env = dict(os.environ, **extra)
            summary = timed([brief, "-C", folder, "build", "--format", "pdf", "--no-cache",
                             "--quiet"], env, a.reps)
            broken = total = broken_s = total_s = joiners = size = 0
            survival = []
            for post in posts:
                stem = os.path.splitext(os.path.basename(post))[0]
                pdfs = glob.glob(os.path.join(folder, "output", "pdf", "*.pdf"))
                pdf = [p for p in pdfs if os.path.basename(p)[:-4] == stem]
                if not pdf:
                    # A post's slug may differ from its file name.
                    continue
                pdf = pdf[0]
                b, t = ko_breaks(post, pdf, False, shim)
                bs, ts = ko_breaks(post, pdf, True, shim)
                broken, total, broken_s, total_s = broken + b, total + t, broken_s + bs, total_s + ts
                text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True,
                                      text=True).stdout
                joiners += text.count("\u2060")
                size += os.path.getsize(pdf)
                ws = subprocess.run([sys.executable, os.path.join(BENCH, "word_survival.py"),
                                     post, pdf], capture_output=True, text=True).stdout
                first = json.loads(ws.splitlines()[0])
                survival.append(first.get("cjk_chars"))
            built = len(glob.glob(os.path.join(folder, "output", "pdf", "*.pdf")))
            print(json.dumps({
                "set": name, "mode": mode, "posts": len(posts), "pdfs": built,
                "median_wall_s": summary["median_wall_s"],
                "median_cpu_s": summary["median_cpu_s"],
                "max_rss_kb": summary["max_rss_kb"],
                "contended": summary["any_contended"],
                "ko_breaks": [broken, total],
                "ko_breaks_without_u2060": [broken_s, total_s],
                "u2060_in_text_layer": joiners,
                "pdf_bytes": size,
                "cjk_chars_min": min((s for s in survival if s is not None), default=None),
            }), flush=True)
    print(f"# load average {os.getloadavg()[0]:.2f} at the end; work folder {work}")


if __name__ == "__main__":
    main()
