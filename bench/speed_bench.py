"""Speed benchmark: one check end to end vs one bare Tesseract run, stage times, start-up, memory.

Usage: python bench/speed_bench.py [--corpus DIR] [--variants clean,photo] [--runs 3] [--ids d01,d05]
Prints medians over --runs; no assertion, the figures go in the closing notes and issues.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
LANGS = "eng+nld+deu+fra"
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def timed(cmd: list[str]) -> tuple[float, str, int]:
    """Wall seconds, stdout and peak RSS (KiB) of the child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, proc.stdout, max(peak, before)


def bare_tesseract(image: Path) -> float:
    return timed(["tesseract", str(image), "-", "-l", LANGS])[0]


def checker_run(image: Path) -> tuple[float, dict]:
    seconds, out, _ = timed([PYTHON, "-m", "checker", "check", "--format", "jsonl", str(image)])
    line = next((ln for ln in out.splitlines() if ln.startswith("{")), "{}")
    return seconds, json.loads(line)


def startup_seconds(runs: int) -> float:
    code = "from checker.reference import default_reference; import checker.pipeline; default_reference()"
    return statistics.median(timed([PYTHON, "-c", code])[0] for _ in range(runs))


def parse_worst_cases() -> None:
    """Parse + rules time on long and hostile texts (the pages accept up to CHECKER_MAX_TEXT characters)."""
    sys.path.insert(0, str(ROOT))
    from checker import rules
    from checker.parsing import parse_label
    from checker.reference import default_reference

    ref = default_reference()
    label = ("Ingredients: sodium butyrate (64 %), microcrystalline cellulose, magnesium stearate. "
             "Per capsule: sodium butyrate 600 mg. Take 1 capsule twice a day. Do not exceed. ")
    cases = {"one label": label, "label x 40": label * 40, "10,000 digits": "1" * 10_000,
             "'mg' storm": "5 mg " * 2_000, "nested brackets": "(" * 3_000 + ")" * 3_000}
    for name, text in cases.items():
        start = time.perf_counter()
        rules.evaluate(parse_label(text, ref), ref)
        print(f"parse+rules {name:<16} {len(text):>7} chars {1000 * (time.perf_counter() - start):9.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--variants", default="clean,scan,photo,hard")
    ap.add_argument("--ids", default="", help="comma-separated spec ids (default: all)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    corpus = Path(args.corpus)
    ids = [i for i in args.ids.split(",") if i] or sorted(p.stem for p in corpus.glob("*.yaml"))
    print(f"start-up (import + reference data), median of {args.runs}: {startup_seconds(args.runs):.2f} s")
    parse_worst_cases()
    header = f"{'image':<16}{'tesseract s':>12}{'check s':>9}{'ratio':>7}  stages (median s)"
    print(header)
    ratios: dict[str, list[float]] = {}
    stage_sums: dict[str, list[float]] = {}
    for variant in args.variants.split(","):
        for sid in ids:
            image = next((p for ext in ("png", "jpg") if (p := corpus / f"{sid}.{variant}.{ext}").exists()), None)
            if image is None:
                continue
            bare = statistics.median(bare_tesseract(image) for _ in range(args.runs))
            runs = [checker_run(image) for _ in range(args.runs)]
            full = statistics.median(s for s, _ in runs)
            stages: dict[str, float] = {}
            for name in (runs[0][1].get("timings") or {}):
                stages[name] = statistics.median((r.get("timings") or {}).get(name, 0.0) for _, r in runs)
                stage_sums.setdefault(name, []).append(stages[name])
            ratio = full / bare if bare else float("nan")
            ratios.setdefault(variant, []).append(ratio)
            text = " ".join(f"{k} {v:.2f}" for k, v in stages.items())
            print(f"{image.name:<16}{bare:>12.2f}{full:>9.2f}{ratio:>7.2f}  {text}")
    print()
    for variant, values in ratios.items():
        print(f"median ratio check/tesseract, {variant}: {statistics.median(values):.2f} (n={len(values)})")
    for name, values in stage_sums.items():
        print(f"median stage {name}: {statistics.median(values) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
