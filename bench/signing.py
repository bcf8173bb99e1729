#!/usr/bin/env python3
"""What signing costs: the sample project's packet PDFs (general and
addressed copies) built unsigned and signed with an RSA-2048, an ECDSA
P-256 and an ECDSA P-384 key, no cache, PDF only, RUNS times each,
interleaved; prints the medians and the difference per signed PDF.
Needs openssl; the keys are made in a temporary folder. Timestamps
(tsa_url) are not measured: their cost is the TSA's round trip.

    bench/signing.py [RUNS]   (default 7; BRIEF=path/to/brief)
"""
import os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

here = Path(__file__).resolve().parent.parent
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
target = os.environ.get("CARGO_TARGET_DIR", str(here / "target"))
brief = os.environ.get("BRIEF", str(Path(target) / "release" / "brief"))
keys = {
    "rsa-2048": ["-newkey", "rsa:2048"],
    "p-256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "p-384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
}
work = Path(tempfile.mkdtemp())
try:
    projects = {}
    for name in ["unsigned", *keys]:
        p = work / name
        p.mkdir()
        for item in ("brief.toml", "content", "letters"):
            src = here / item
            (shutil.copytree if src.is_dir() else shutil.copy)(src, p / item)
        projects[name] = p
    for name, newkey in keys.items():
        k = projects[name] / "keys"
        k.mkdir()
        subprocess.run(["openssl", "req", "-x509", *newkey, "-nodes", "-keyout", "k.key",
                        "-out", "k.crt", "-days", "30", "-subj", "/CN=bench/O=bench"],
                       cwd=k, check=True, capture_output=True)
        subprocess.run(["openssl", "pkcs12", "-export", "-inkey", "k.key", "-in", "k.crt",
                        "-out", "desk.p12", "-passout", "pass:bench"],
                       cwd=k, check=True, capture_output=True)
        with open(projects[name] / "brief.toml", "a") as f:
            f.write('\n[sign]\nkey = "keys/desk.p12"\n')
    env = dict(os.environ, BRIEF_SIGN_PASSWORD="bench")
    times = {name: [] for name in projects}
    for _ in range(runs):
        for name, p in projects.items():
            start = time.perf_counter()
            subprocess.run([brief, "build", "--format", "pdf", "--no-cache", "--quiet"], cwd=p,
                           env=env, check=True)
            times[name].append(time.perf_counter() - start)
    pdfs = list((projects["rsa-2048"] / "output" / "packets").rglob("*.pdf"))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"runs: {runs}, signed packet PDFs per build: {len(pdfs)}")
    for k in projects:
        print(f"{k:9} build median {med[k]:.3f} s  (min {min(times[k]):.3f}, max {max(times[k]):.3f})")
    for k in keys:
        per = (med[k] - med["unsigned"]) * 1000 / max(len(pdfs), 1)
        print(f"signing, {k}: {per:.1f} ms per PDF (median difference / PDFs)")
finally:
    shutil.rmtree(work)
