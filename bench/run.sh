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
#      (pandoc from pypandoc-binary; Typst is the `typst` CLI when one is on
#      PATH -- `cargo install typst-cli --version 0.15.1 --locked` builds it
#      from crates.io -- else the Python package, one process per post).
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
export PANDOC
# The pandoc pipeline uses the typst CLI when there is one, as its users do;
# otherwise one `python3 -c 'import typst; ...'` per post (slower to start).
if command -v typst >/dev/null 2>&1; then TYPST=typst; else TYPST=py; fi
export TYPST

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BRIEF=$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/brief

# The English sample (the Korean translation beside it sorts first).
SEED=$(ls "$ROOT"/content/*.md | grep -v '\.ko\.md$' | head -1)
python3 "$BENCH/make_corpus.py" "$SEED" "$WORK/posts" "$N" >/dev/null
mkdir -p "$WORK/project" && ln -s "$WORK/posts" "$WORK/project/content"

median() { # timed_run.py prints JSON lines; the last one holds the medians
  # A run that failed measures nothing: stop there.
  python3 -c 'import json,sys; s=json.loads(sys.stdin.read().strip().splitlines()[-1])["summary"]; assert s["all_rc0"], "a timed run failed"; print(s["median_wall_s"]); print(("contended" if s["any_contended"] else "quiet"), file=sys.stderr)'
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

# Typst's own compile of the very same sources (`brief dump-typst`), two
# ways, through the Python package: a fresh world per post (fonts loaded
# each call), and one long-lived compiler over all posts (fonts loaded once,
# caches shared: the same situation as inside brief). Both export PDF/UA-1
# like brief's default, so the work is the same.
mkdir -p "$WORK/typ"
for post in "$WORK"/posts/*.md; do
  name=$(basename "$post" .md)
  "$BRIEF" dump-typst "$post" "$WORK/typ/$name" >/dev/null
done
# Typst's memoization caches are global to a process and would answer a
# second compile of the same document from cache, so every measurement is
# one pass over all posts in a new process; median of 3 such processes.
floor() { # floor fresh|shared -> seconds per document
  for rep in 1 2 3; do
    python3 - "$WORK/typ" "$1" <<'PY'
import glob, os, sys, tempfile, time, typst
dirs = sorted(glob.glob(os.path.join(sys.argv[1], "*")))
out = os.path.join(tempfile.mkdtemp(), "x.pdf")
if sys.argv[2] == "fresh":
    one = lambda d: typst.compile(os.path.join(d, "main.typ"), output=out,
                                  root=d, pdf_standards=["ua-1"])
else:
    comp = typst.Compiler(os.path.join(dirs[0], "main.typ"), root=dirs[0])
    one = lambda d: comp.compile(input=os.path.join(d, "main.typ"), output=out,
                                 root=d, pdf_standards=["ua-1"])
t = time.perf_counter()
for d in dirs:
    one(d)
print((time.perf_counter() - t) / len(dirs))
PY
  done | sort -n | sed -n 2p
}
floor_fresh=$(floor fresh)
floor_shared=$(floor shared)

python3 - "$N" "$pdf1" "$pdf2" "$all2" "$pandoc2" "$floor_fresh" "$floor_shared" "$TYPST" <<'PY'
import sys
n = int(sys.argv[1]); pdf1, pdf2, all2, pandoc2, fresh, shared = map(float, sys.argv[2:8])
typst_used = "typst CLI" if sys.argv[8] != "py" else "Python typst package"
print(f"posts: {n}")
print(f"brief PDF edition, --jobs 1: {pdf1:.2f} s = {n/pdf1:.1f} PDFs/s ({1000*pdf1/n:.1f} ms each)")
print(f"brief PDF edition, --jobs 2: {pdf2:.2f} s = {n/pdf2:.1f} PDFs/s")
print(f"Typst alone, same sources, fresh world per post: {1000*fresh:.1f} ms each")
print(f"Typst alone, same sources, one long-lived compiler: {1000*shared:.1f} ms each")
print(f"brief --jobs 1 per PDF over the long-lived compiler: {pdf1/n/shared:.2f}x")
print(f"brief, all three editions, --jobs 2: {all2:.2f} s")
print(f"pandoc + Typst pipeline (anchor_pandoc.sh, 2 jobs, {typst_used}): {pandoc2:.2f} s")
print(f"speed-up: {pandoc2/all2:.1f}x")
PY
