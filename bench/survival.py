#!/usr/bin/env python3
"""What survives (not a test): brief against the pandoc + Typst pipeline on
the real posts of ../shared/corpus/real, scored by
../shared/bench/word_survival.py, side by side in one run.

Usage: bench/survival.py [BRIEF_BINARY]      (run from the repo root)

Copies every post of corpus/real into one flat folder (names keep their
path, `/` as `__`), builds it with `brief build` and with anchor_pandoc.sh
(pandoc from pypandoc-binary; the `typst` CLI when one is on PATH, else the
Python package), then prints per edition: how many posts built, the mean
word_survival `score` (a post that failed counts 0, and over the built ones
only), the lowest score, and the mean share of the source's URLs readable
in the output (`urls_visible`) and present as text or link (`urls_linked`).
Posts with no words after cleaning (a redirect stub) are left out.
Needs pdftotext and qpdf (poppler-utils, qpdf).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
BENCH = os.path.join(SHARED, "bench")
REAL = os.path.join(SHARED, "corpus", "real")


def score(src, out):
    if not os.path.exists(out):
        return None
    run = subprocess.run([sys.executable, os.path.join(BENCH, "word_survival.py"), src, out],
                         capture_output=True, text=True)
    lines = run.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def main():
    brief = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "brief")
    work = tempfile.mkdtemp()
    try:
        posts = os.path.join(work, "posts")
        os.makedirs(posts)
        for folder, _, files in os.walk(REAL):
            for f in files:
                if f.endswith((".md", ".markdown")) and f != "SOURCES.md":
                    rel = os.path.relpath(os.path.join(folder, f), REAL)
                    shutil.copy(os.path.join(folder, f), os.path.join(posts, rel.replace(os.sep, "__")))
        project = os.path.join(work, "project")
        os.makedirs(project)
        os.symlink(posts, os.path.join(project, "content"))
        subprocess.run([brief, "build", "--quiet", "--out", os.path.join(work, "out")], cwd=project)

        import pypandoc  # installed by bench/run.sh, or: pip install pypandoc-binary
        env = dict(os.environ)
        env["PANDOC"] = os.path.join(os.path.dirname(pypandoc.__file__), "files", "pandoc")
        env["TYPST"] = "typst" if shutil.which("typst") else "py"
        subprocess.run([os.path.join(BENCH, "anchor_pandoc.sh"), posts, os.path.join(work, "anch"), "2"],
                       env=env, stderr=subprocess.DEVNULL)

        manifest = json.load(open(os.path.join(work, "out", "manifest.json")))
        jobs = []
        for b in manifest["briefs"]:
            name = os.path.basename(b["source"])
            src = os.path.join(posts, name)
            stem = os.path.splitext(name)[0]
            for edition, brief_out, pandoc_out in [
                ("pdf", f"out/pdf/{b['slug']}.pdf", f"anch/{stem}.pdf"),
                ("epub", f"out/epub/{b['slug']}.epub", f"anch/{stem}.epub"),
                ("text", f"out/email/{b['slug']}.txt", f"anch/{stem}.txt"),
            ]:
                jobs.append((src, "brief " + edition, os.path.join(work, brief_out)))
                jobs.append((src, "pandoc " + edition, os.path.join(work, pandoc_out)))
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda j: (j[0], j[1], score(j[0], j[2])), jobs))
        by = {}
        for src, kind, d in results:
            by.setdefault(kind, {})[src] = d
        with_words = [s for s, d in by["brief text"].items() if d and d["src_words"] > 0]
        print(f"{len(with_words)} posts with words; pandoc pipeline Typst: {env['TYPST']}")
        print("| edition | built | score, failed = 0 | score, built only | lowest | urls_visible | urls_linked |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for kind in ["brief pdf", "pandoc pdf", "brief epub", "pandoc epub", "brief text", "pandoc text"]:
            ds = [by[kind].get(s) for s in with_words]
            built = [d for d in ds if d]
            all_scores = [d["score"] if d else 0.0 for d in ds]
            built_scores = [d["score"] for d in built] or [0.0]
            with_urls = [d for d in built if d["src_urls"] > 0] or [{"urls_visible": 0, "urls_linked": 0}]
            print(f"| {kind} | {len(built)}/{len(ds)} | {statistics.mean(all_scores):.4f} "
                  f"| {statistics.mean(built_scores):.4f} | {min(built_scores):.4f} "
                  f"| {statistics.mean(d['urls_visible'] for d in with_urls):.3f} "
                  f"| {statistics.mean(d['urls_linked'] for d in with_urls):.3f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
