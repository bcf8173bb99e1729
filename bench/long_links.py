#!/usr/bin/env python3
"""Benchmark (not a test): one long, link-heavy post through the PDF edition.

Usage: bench/long_links.py [LINKS] [KB]   (defaults 10000 links, 1024 KB;
run from the repo root after `cargo build --release`)

SHAPE=release-notes uses ../shared/bench/gen_release_notes.py instead
(nested lists, one linked pull request per short item, LINKS/4 groups),
the shape that costs Typst most: each footnote re-lays out the column,
and list items miss Typst's layout cache.

Writes a post of about KB kilobytes with LINKS distinct links (text links
whose address the PDF must print somewhere, as a footnote or an endnote),
builds its PDF with target/release/brief, and prints the wall time, the
peak RSS (GNU time), the page count, and how many of the addresses the PDF's
text layer holds (pdftotext, line ends joined). Median of RUNS runs
(environment variable, default 3). Nothing here runs in CI.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile

LINKS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
KB = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
RUNS = int(os.environ.get("RUNS", "3"))
BRIEF = os.path.abspath("target/release/brief")

WORDS = ("the mission report notes that field teams visited districts where "
         "shelters had reopened and asked for records of every transfer").split()


def post(links: int, size: int) -> tuple[str, list[str]]:
    urls = [f"https://records.example.org/{i // 100}/case-{i:05d}" for i in range(links)]
    out = ["---\ntitle: A long record of sources\ndate: 2025-09-02\n---\n"]
    filler = max(0, size * 1024 // max(links, 1) - 60)
    w = 0
    for i, url in enumerate(urls):
        words = []
        while sum(len(x) + 1 for x in words) < filler:
            words.append(WORDS[w % len(WORDS)])
            w += 1
        out.append(" ".join(words) + f" [source {i}]({url}).")
        if i % 8 == 7:
            out.append("\n\n")
        else:
            out.append(" ")
    return "".join(out), urls


def run_once(project: str) -> tuple[float, int]:
    time_out = os.path.join(project, "time.txt")
    subprocess.run(["/usr/bin/time", "-v", "-o", time_out, BRIEF, "build", "--format", "pdf"],
                   cwd=project, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    text = open(time_out).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    h, m, s = wall.groups()
    seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return seconds, rss_kb


def release_notes(links: int) -> tuple[str, list[str]]:
    here = os.path.dirname(os.path.abspath(__file__))
    gen = os.path.join(here, "..", "..", "shared", "bench", "gen_release_notes.py")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "p.md")
        subprocess.run([sys.executable, gen, out, str(links // 4)], check=True)
        text = open(out).read()
    urls = re.findall(r"\]\((https://[^)]+)\)", text)
    return text, urls


def main() -> None:
    if os.environ.get("SHAPE") == "release-notes":
        text, urls = release_notes(LINKS)
    else:
        text, urls = post(LINKS, KB)
    with tempfile.TemporaryDirectory() as project:
        os.makedirs(os.path.join(project, "content"))
        with open(os.path.join(project, "content", "long.md"), "w") as f:
            f.write(text)
        results = [run_once(project) for _ in range(RUNS)]
        pdf_dir = os.path.join(project, "output", "pdf")
        pdfs = os.listdir(pdf_dir) if os.path.isdir(pdf_dir) else []
        pdf = os.path.join(pdf_dir, pdfs[0]) if pdfs else ""
        if not pdfs:
            print(f"no PDF was written ({len(text) // 1024} KB, {LINKS} links)")
            return
        layer = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
        joined = re.sub(r"\s+", "", layer)
        printed = sum(1 for u in urls if u in joined)
        pages = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
        pages = re.search(r"Pages:\s+(\d+)", pages).group(1)
    walls = [r[0] for r in results]
    rss = [r[1] for r in results]
    print(f"post: {len(text) / 1024:.0f} KB, {LINKS} links; PDF {pages} pages")
    print(f"PDF build: median {statistics.median(walls):.1f} s "
          f"(runs {', '.join(f'{w:.1f}' for w in walls)}), "
          f"peak RSS median {statistics.median(rss) / 1024:.0f} MB")
    print(f"addresses printed in the PDF: {printed} of {LINKS}")


if __name__ == "__main__":
    main()
