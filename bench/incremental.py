#!/usr/bin/env python3
"""Benchmark (not a test): what a rebuild costs with the build cache.

Usage: bench/incremental.py [N] [--reps R]     (N default 1000, R default 5;
run from anywhere; needs ../shared/bench beside the checkout)

On N posts generated from the sample with ../shared/bench/make_corpus.py,
all three editions, timed with ../shared/bench/timed_run.py (medians of R,
each run flagged when the rest of the machine was busy):

1. a cold build (once, not a median: it fills the cache; an empty
   output folder, so every output is rendered);
2. a no-op rebuild (nothing changed);
3. a rebuild after editing one post (a new line appended before each run),
   and the set of files that rebuild rendered (from `brief build -v`);
4. that post's own render cost: `brief build --no-cache` of just that post
   into an empty folder (process start, fonts, its three editions);
5. the pandoc pipeline's cost for the same change: anchor_pandoc.sh on that
   one post (pandoc three times and Typst once: four processes), when
   pandoc is available (pypandoc-binary; `typst` CLI on PATH, else the
   Python typst package).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "..", "shared", "bench")


def brief_binary():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return os.path.join(json.loads(meta)["target_directory"], "release", "brief")


def timed(cmd, cwd, reps, setup=None):
    """Median wall seconds of CMD over REPS runs, and whether any was contended."""
    # On a shared machine every run is "contended"; MAX_FOREIGN raises the
    # bar for timed_run's retries (the runs are still flagged).
    args = [sys.executable, os.path.join(BENCH, "timed_run.py"), "--reps", str(reps),
            "--idle-wait", os.environ.get("IDLE_WAIT", "30"),
            "--max-foreign", os.environ.get("MAX_FOREIGN", "0.5")]
    if setup:
        args += ["--setup", setup]
    out = subprocess.run(args + ["--"] + cmd, cwd=cwd, check=True,
                         capture_output=True, text=True).stdout
    summary = json.loads(out.strip().splitlines()[-1])["summary"]
    return summary["median_wall_s"], summary["any_contended"]


def pandoc_env():
    env = dict(os.environ)
    try:
        import pypandoc  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "pypandoc-binary", "typst"], check=True)
    import pypandoc
    env["PANDOC"] = os.path.join(os.path.dirname(pypandoc.__file__), "files", "pandoc")
    if shutil.which("typst"):
        env["TYPST"] = "typst"
    else:
        env["TYPST"] = "py"
    return env


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=1000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--no-pandoc", action="store_true")
    ap.add_argument("--work", help="reuse this folder from an earlier run (its project is "
                    "already built: the cold build is skipped)")
    a = ap.parse_args()
    brief = brief_binary()
    work = a.work or tempfile.mkdtemp()
    try:
        project = os.path.join(work, "project")
        content = os.path.join(project, "content")
        build = [brief, "build", "--quiet"]
        cold = float("nan")
        if not a.work:
            os.makedirs(project)
            seed = sorted(f for f in os.listdir(os.path.join(ROOT, "content"))
                          if f.endswith(".md"))[0]
            subprocess.run([sys.executable, os.path.join(BENCH, "make_corpus.py"),
                            os.path.join(ROOT, "content", seed), content, str(a.n)],
                           check=True, capture_output=True)
            # The cold build fills the cache the rebuilds below use. Timed
            # here, not by timed_run.py: its retry of a contended run would
            # time a second, warm build and report it as the cold one.
            started = time.perf_counter()
            subprocess.run(build, cwd=project, check=True)
            cold = time.perf_counter() - started
        else:
            subprocess.run(build, cwd=project, check=True)
        posts = sorted(os.listdir(content))
        edited = os.path.join(content, posts[len(posts) // 2])
        noop, noop_busy = timed(build, project, a.reps)
        # Each run edits the post again (a new line), so each one is a real edit.
        edit_script = os.path.join(work, "edit.py")
        with open(edit_script, "w") as f:
            f.write(f"import time\nopen({edited!r}, 'a').write('\\nEdited at %f.\\n' % time.time())\n")
        append = f"{sys.executable} {edit_script}"
        edit, edit_busy = timed(build, project, a.reps, setup=append)
        subprocess.run(append, shell=True, check=True)
        verbose = subprocess.run([brief, "build", "-v"], cwd=project, check=True,
                                 capture_output=True, text=True).stderr
        rendered = [l.split(" in ")[0][len("rendered "):] for l in verbose.splitlines()
                    if l.startswith("rendered ")]
        one, one_busy = timed(build + ["--no-cache", "--out", os.path.join(work, "one"), edited],
                              project, a.reps, setup=f"rm -rf {work}/one")

        print(f"posts: {len(posts)}, all three editions, medians of {a.reps}", flush=True)
        print(f"cold build (empty output folder, once, not checked for contention): {cold:.2f} s")
        print(f"no-op rebuild: {noop:.3f} s{' (contended)' if noop_busy else ''}")
        print(f"rebuild after editing one post: {edit:.3f} s{' (contended)' if edit_busy else ''}")
        print(f"  files rendered: {', '.join(rendered)}")
        print(f"that post alone, fresh (brief build --no-cache POST): {one:.3f} s"
              f"{' (contended)' if one_busy else ''}")
        print(f"  one-edit rebuild minus that: {edit - one:+.3f} s")
        if not a.no_pandoc:
            env = pandoc_env()
            single = os.path.join(work, "single")
            os.makedirs(single)
            shutil.copy(edited, single)
            cmd = [os.path.join(BENCH, "anchor_pandoc.sh"), single, os.path.join(work, "pandoc"), "1"]
            old = os.environ.copy()
            os.environ.update(env)
            try:
                pandoc, pandoc_busy = timed(cmd, work, a.reps, setup=f"rm -rf {work}/pandoc")
            finally:
                os.environ.clear()
                os.environ.update(old)
            typst = "typst CLI" if env["TYPST"] == "typst" else "Python typst package"
            print(f"pandoc pipeline, that post (anchor_pandoc.sh, 4 processes, {typst}): "
                  f"{pandoc:.3f} s{' (contended)' if pandoc_busy else ''}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
