#!/usr/bin/env bash
# Benchmark (not a test): brief against the pandoc + Typst pipeline users
# run today, side by side in one run, on N posts generated from the sample.
#
# Usage: bench/run.sh [N]          (N default 100; run from the repo root)
#
# Prints, with medians of 3 runs each (timed_run.py, which also reports how
# busy the rest of the machine was):
#   1. PDFs per second with --jobs 1 and --jobs 2 (PDF edition only);
#   2. the cost of our PDF stage over Typst's own compile of the very same
#      sources (written by `brief dump-typst`, compiled by one long-lived
#      Typst compiler through the `typst` Python package: typst_floor.py);
#   3. the whole three-edition build against ../shared/bench/anchor_pandoc.sh
#      (pandoc from pypandoc-binary, Typst through the Python package).
# Needs ../shared/bench. Installs the PyPI packages it needs (typst,
# pypandoc-binary) when they are missing. Nothing here runs in CI.
set -euo pipefail
N=${1:-100}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/../shared/bench
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 -c 'import typst, pypandoc' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check typst pypandoc-binary
PANDOC=$(python3 -c 'import pypandoc, os; print(os.path.join(os.path.dirname(pypandoc.__file__), "files", "pandoc"))')
export PANDOC TYPST=py

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BRIEF=$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/brief

SEED=$(ls "$ROOT"/content/*.md | head -1)
python3 "$BENCH/make_corpus.py" "$SEED" "$WORK/posts" "$N" >/dev/null
mkdir -p "$WORK/project" && ln -s "$WORK/posts" "$WORK/project/content"

median() { # timed_run.py prints JSON lines; the last one holds the medians
  python3 -c 'import json,sys; s=json.loads(sys.stdin.read().strip().splitlines()[-1])["summary"]; print(s["median_wall_s"]); print(("contended" if s["any_contended"] else "quiet"), file=sys.stderr)'
}
REPS=${REPS:-3}
timed() {
  python3 "$BENCH/timed_run.py" --reps "$REPS" --idle-wait "${IDLE_WAIT:-120}" \
    --setup "rm -rf $WORK/out" -- "$@" 2>/dev/null | median
}

cd "$WORK/project"
pdf1=$(timed "$BRIEF" build --quiet --format pdf --jobs 1 --out "$WORK/out")
pdf2=$(timed "$BRIEF" build --quiet --format pdf --jobs 2 --out "$WORK/out")
all2=$(timed "$BRIEF" build --quiet --jobs 2 --out "$WORK/out")
pandoc2=$(timed "$BENCH/anchor_pandoc.sh" "$WORK/posts" "$WORK/out" 2)

# Typst's own compile of the same sources, one long-lived compiler.
mkdir -p "$WORK/typ"
for post in "$WORK"/posts/*.md; do
  name=$(basename "$post" .md)
  "$BRIEF" dump-typst "$post" "$WORK/typ/$name" >/dev/null
done
# typst_floor.py compiles *.typ of --others in one folder; each of ours
# needs its own root, so compile them here the same way it does.
floor=$(python3 - "$WORK/typ" <<'PY'
import glob, os, statistics, sys, tempfile, time, typst
dirs = sorted(glob.glob(os.path.join(sys.argv[1], "*")))
out = tempfile.mkdtemp()
times = []
for rep in range(3):
    t = time.perf_counter()
    for d in dirs:
        typst.compile(os.path.join(d, "main.typ"), output=os.path.join(out, "x.pdf"), root=d)
    times.append((time.perf_counter() - t) / len(dirs))
print(statistics.median(times))
PY
)

python3 - "$N" "$pdf1" "$pdf2" "$all2" "$pandoc2" "$floor" <<'PY'
import sys
n = int(sys.argv[1]); pdf1, pdf2, all2, pandoc2, floor = map(float, sys.argv[2:])
print(f"posts: {n}")
print(f"brief PDF edition, --jobs 1: {pdf1:.2f} s = {n/pdf1:.1f} PDFs/s ({1000*pdf1/n:.1f} ms each)")
print(f"brief PDF edition, --jobs 2: {pdf2:.2f} s = {n/pdf2:.1f} PDFs/s")
print(f"Typst alone, same sources, one thread: {1000*floor:.1f} ms each")
print(f"our PDF stage over Typst's own compile (1 thread): {pdf1/n/floor:.2f}x")
print(f"brief, all three editions, --jobs 2: {all2:.2f} s")
print(f"pandoc + Typst pipeline (anchor_pandoc.sh, 2 jobs): {pandoc2:.2f} s")
print(f"speed-up: {pandoc2/all2:.1f}x")
PY
