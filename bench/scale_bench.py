#!/usr/bin/env python3
"""Robustness benchmark: the label score of the same photos resized by a few per cent.

Usage: python bench/scale_bench.py [--corpus DIR] [--variants hard] [--scales 0.95,0.98,1,1.02,1.05]
                                   [--out bench-out/scaled]

A phone photo of one label is never taken twice at the same distance. On the hard variant a resize of
2-5 % (Lanczos, saved as PNG so no JPEG loss is added) moves single readings across Tesseract's page
segmentation decisions, and the score of 12 labels with them. One run's score is one draw: compare
changes by the mean over the scales, not by the score at scale 1 alone. Each scale runs
`python -m checker check --format jsonl` through ../shared/eval/score.py over its copy of the images.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
SCORE = ROOT.parent / "shared" / "eval" / "score.py"
_SCORE_LINE = re.compile(r"label score ([0-9.]+)")


def scaled_copies(corpus: Path, variants: list[str], scale: float, out: Path) -> Path:
    """A directory holding every variant image of the corpus resized by `scale` (the corpus itself at 1)."""
    if scale == 1:
        return corpus
    target = out / f"x{scale:g}"
    target.mkdir(parents=True, exist_ok=True)
    for spec in sorted(corpus.glob("*.yaml")):
        for variant in variants:
            for source in corpus.glob(f"{spec.stem}.{variant}.*"):
                if source.suffix.lower() not in (".png", ".jpg", ".jpeg"):
                    continue
                copy = target / f"{spec.stem}.{variant}.png"
                if not copy.exists():
                    with Image.open(source) as img:
                        size = (round(img.width * scale), round(img.height * scale))
                        img.convert("RGB").resize(size, Image.Resampling.LANCZOS).save(copy)
    return target


def label_score(corpus: Path, images: Path, variants: list[str]) -> float:
    """score.py's overall label score for the images in `images`."""
    cmd = [PYTHON, str(SCORE), "--specs", str(corpus), "--images", str(images),
           "--variants", ",".join(variants), "--cmd", f"{PYTHON} -m checker check --format jsonl",
           "--cwd", str(ROOT)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = _SCORE_LINE.findall(proc.stdout)
    if not found:
        raise SystemExit(f"score.py printed no label score:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return float(found[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--variants", default="hard")
    ap.add_argument("--scales", default="0.95,0.98,1,1.02,1.05")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "scaled")
    args = ap.parse_args(argv)
    variants = args.variants.split(",")
    scales = [float(s) for s in args.scales.split(",")]
    scores = []
    print(f"{'scale':>6}  label score ({','.join(variants)})")
    for scale in scales:
        images = scaled_copies(args.corpus, variants, scale, args.out)
        scores.append(label_score(args.corpus, images, variants))
        print(f"{scale:>6g}  {scores[-1]:.3f}", flush=True)
    spread = statistics.pstdev(scores) if len(scores) > 1 else 0.0
    print(f"  mean  {statistics.mean(scores):.3f}  (min {min(scores):.3f}, max {max(scores):.3f}, "
          f"std {spread:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
