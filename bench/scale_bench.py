#!/usr/bin/env python3
"""Robustness benchmark: the label score of the same photos resized by a few per cent.

Usage: python bench/scale_bench.py [--corpus DIR] [--variants hard] [--scales 0.95,0.98,1,1.02,1.05]
                                   [--out bench-out/scaled]

A phone photo of one label is never taken twice at the same distance. On the hard variant a resize of
2-5 % (Lanczos, saved as PNG so no JPEG loss is added) moves single readings across Tesseract's page
segmentation decisions, and the score of 12 labels with them. One run's score is one draw: compare
changes by the mean over the scales, not by the score at scale 1 alone. Each scale runs
`python -m checker check --format jsonl` through ../shared/eval/score.py over its copy of the images
(ocr_bench.run_pipeline, which also prints score.py's table).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from ocr_bench import DEFAULT_CORPUS, ROOT, run_pipeline, select_images
from PIL import Image


def scaled_copies(corpus: Path, variants: list[str], scale: float, out: Path) -> Path:
    """A directory holding the specs (linked) and every variant image resized by `scale`; the corpus at 1."""
    if scale == 1:
        return corpus
    target = out / f"x{scale:g}"
    target.mkdir(parents=True, exist_ok=True)
    for sid, variant, source in select_images(corpus, None, variants):
        spec = target / f"{sid}.yaml"
        if not spec.exists():
            spec.symlink_to((corpus / f"{sid}.yaml").resolve())
        copy = target / f"{sid}.{variant}.png"
        if not copy.exists():
            with Image.open(source) as img:
                size = (round(img.width * scale), round(img.height * scale))
                img.convert("RGB").resize(size, Image.Resampling.LANCZOS).save(copy)
    return target


def label_score(specs: Path, variants: list[str], out: Path) -> float:
    """score.py's overall label score for the images beside the specs in `specs` (via ocr_bench)."""
    out.mkdir(parents=True, exist_ok=True)
    reports, _ = run_pipeline(specs, variants, out)
    scores = out / "scores.json"
    if not reports or not scores.exists():
        raise SystemExit(f"score.py gave no scores for {specs}")
    return float(json.loads(scores.read_text())["all"])


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
        specs = scaled_copies(args.corpus, variants, scale, args.out)
        scores.append(label_score(specs, variants, args.out / f"run-x{scale:g}"))
        print(f"{scale:>6g}  {scores[-1]:.3f}", flush=True)
    spread = statistics.pstdev(scores) if len(scores) > 1 else 0.0
    print(f"  mean  {statistics.mean(scores):.3f}  (min {min(scores):.3f}, max {max(scores):.3f}, "
          f"std {spread:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
