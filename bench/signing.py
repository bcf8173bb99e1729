#!/usr/bin/env python3
"""What signing costs: the sample project's packet PDFs (general and
addressed copies) built with and without [sign], no cache, PDF only,
RUNS times each, interleaved; prints the medians and the difference per
signed PDF. Needs openssl; the key is made in a temporary folder.

    bench/signing.py [RUNS]   (default 7; BRIEF=path/to/brief)
"""
import os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

here = Path(__file__).resolve().parent.parent
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
target = os.environ.get("CARGO_TARGET_DIR", str(here / "target"))
brief = os.environ.get("BRIEF", str(Path(target) / "release" / "brief"))
work = Path(tempfile.mkdtemp())
try:
    projects = {}
    for name in ("unsigned", "signed"):
        p = work / name
        p.mkdir()
        for item in ("brief.toml", "content", "letters"):
            src = here / item
            (shutil.copytree if src.is_dir() else shutil.copy)(src, p / item)
        projects[name] = p
    signed = projects["signed"]
    (signed / "keys").mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.key",
                    "-out", "k.crt", "-days", "30", "-subj", "/CN=bench/O=bench"],
                   cwd=signed / "keys", check=True, capture_output=True)
    subprocess.run(["openssl", "pkcs12", "-export", "-inkey", "k.key", "-in", "k.crt", "-out", "desk.p12",
                    "-passout", "pass:bench"], cwd=signed / "keys", check=True, capture_output=True)
    with open(signed / "brief.toml", "a") as f:
        f.write('\n[sign]\nkey = "keys/desk.p12"\n')
    env = dict(os.environ, BRIEF_SIGN_PASSWORD="bench")
    times = {"unsigned": [], "signed": []}
    for _ in range(runs):
        for name, p in projects.items():
            start = time.perf_counter()
            subprocess.run([brief, "build", "--format", "pdf", "--no-cache", "--quiet"], cwd=p,
                           env=env, check=True)
            times[name].append(time.perf_counter() - start)
    pdfs = list((signed / "output" / "packets").rglob("*.pdf"))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"runs: {runs}, signed packet PDFs per build: {len(pdfs)}")
    for k in ("unsigned", "signed"):
        print(f"{k:9} build median {med[k]:.3f} s  (min {min(times[k]):.3f}, max {max(times[k]):.3f})")
    print(f"signing: {(med['signed'] - med['unsigned']) * 1000 / max(len(pdfs), 1):.1f} ms per PDF (median difference / PDFs)")
finally:
    shutil.rmtree(work)
