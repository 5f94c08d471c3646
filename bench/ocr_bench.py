#!/usr/bin/env python3
"""OCR benchmark: character error rate of plain Tesseract vs the checker's pipeline, plus label scores.

Usage: python bench/ocr_bench.py [--corpus DIR] [--variants clean,scan,photo,hard] [--ids d01,d05]
                                 [--out bench-out] [--no-score]

For every corpus image <id>.<variant>.{png,jpg} beside a spec <id>.yaml:
- plain:    `tesseract IMG - -l eng+nld+deu+fra` (OMP_THREAD_LIMIT=1); its text and seconds are cached
            in OUT/plain/ keyed by the image's sha256 and the Tesseract version, so reruns are cheap;
- pipeline: `python -m checker check --format jsonl` run by ../shared/eval/score.py over the same images
            (one process for all); the report's ocr.text is scored, and score.py prints the label scores.

CER (character error rate) = Levenshtein distance (rapidfuzz) between the OCR text and the reference,
divided by the reference length. Reference = the spec's blocks in order: each block's text, a table as
its rows with the cells of a row joined by one space. Both sides are NFC-normalised and every run of
whitespace becomes one space, so line wrapping does not count, but reading order does. "word F1" is
order-insensitive: F1 of the multisets of whitespace-separated tokens.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
SCORE = ROOT.parent / "shared" / "eval" / "score.py"
LANGS = "eng+nld+deu+fra"
VARIANTS = ("clean", "scan", "photo", "hard")
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
_SPACE = re.compile(r"\s+")


@dataclass
class Row:
    """Scores of one image."""

    variant: str
    cer_plain: float
    cer_pipeline: float
    f1_plain: float
    f1_pipeline: float
    seconds_plain: float
    seconds_pipeline: float | None


def normalise(text: str) -> str:
    """NFC, every whitespace run one space, trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def reference_text(spec: dict) -> str:
    """The label's text in reading order: blocks in order, table cells of a row joined by a space."""
    parts: list[str] = []
    for block in spec.get("blocks") or []:
        if block.get("style") == "table":
            parts.extend(" ".join(str(c) for c in row if str(c).strip()) for row in block.get("rows") or [])
        else:
            parts.append(str(block.get("text", "")))
    return normalise("\n".join(parts))


def cer(hypothesis: str, reference: str) -> float:
    """Levenshtein distance over the reference length (can exceed 1 for long garbage)."""
    ref = normalise(reference)
    return Levenshtein.distance(normalise(hypothesis), ref) / max(1, len(ref))


def word_f1(hypothesis: str, reference: str) -> float:
    """F1 of the token multisets (order-insensitive)."""
    hyp = collections.Counter(normalise(hypothesis).split())
    ref = collections.Counter(normalise(reference).split())
    common = sum((hyp & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(hyp.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def tesseract_version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=True)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def plain_tesseract(image: Path, cache: Path, version: str) -> tuple[str, float]:
    """(text, seconds) of a bare Tesseract run, from the cache when this image was read before."""
    digest = hashlib.sha256(image.read_bytes() + version.encode()).hexdigest()[:16]
    entry = cache / f"{image.name}.{digest}.json"
    if entry.exists():
        data = json.loads(entry.read_text())
        return data["text"], data["seconds"]
    start = time.perf_counter()
    proc = subprocess.run(["tesseract", str(image), "-", "-l", LANGS], capture_output=True, text=True,
                          env=ENV, check=True)
    seconds = time.perf_counter() - start
    cache.mkdir(parents=True, exist_ok=True)
    entry.write_text(json.dumps({"text": proc.stdout, "seconds": round(seconds, 3)}))
    return proc.stdout, seconds


def select_images(corpus: Path, ids: set[str] | None, variants: list[str]) -> list[tuple[str, str, Path]]:
    """(id, variant, path) in score.py's order: specs sorted, then variants in the order given."""
    out = []
    for spec in sorted(corpus.glob("*.yaml")):
        if ids and spec.stem not in ids:
            continue
        for variant in variants:
            for ext in ("png", "jpg"):
                path = corpus / f"{spec.stem}.{variant}.{ext}"
                if path.exists():
                    out.append((spec.stem, variant, path))
    return out


def subset_dir(corpus: Path, ids: set[str], out: Path) -> Path:
    """A directory of links to just the chosen specs and images (score.py reads a whole directory)."""
    target = out / "subset"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in corpus.iterdir():
        if path.name.split(".", 1)[0] in ids:
            (target / path.name).symlink_to(path.resolve())
    return target


def run_pipeline(specs: Path, variants: list[str], out: Path) -> tuple[list[dict], float]:
    """Run score.py (which runs the checker once over all images); returns reports and seconds."""
    reports, scores = out / "reports.jsonl", out / "scores.json"
    reports.unlink(missing_ok=True)
    cmd = [PYTHON, str(SCORE), "--specs", str(specs), "--variants", ",".join(variants),
           "--cmd", f"{PYTHON} -m checker check --format jsonl", "--cwd", str(ROOT),
           "--save", str(reports), "--json", str(scores)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    seconds = time.perf_counter() - start
    print(proc.stdout.rstrip())
    if proc.returncode != 0 or not reports.exists():
        print(proc.stderr[-3000:], file=sys.stderr)
        return [], seconds
    return [json.loads(line) for line in reports.read_text().splitlines() if line.strip()], seconds


def report_text(report: dict) -> str:
    return ((report.get("ocr") or {}).get("text")) or ""


def print_table(rows: list[Row], variants: list[str], scores: dict) -> None:
    header = ("variant", "n", "CER plain", "CER pipeline", "ratio", "wordF1 plain", "wordF1 pipe",
              "s/img plain", "s/img pipe", "label score")
    table = [header]
    for variant in variants + ["all"]:
        sel = [r for r in rows if variant in ("all", r.variant)]
        if not sel:
            continue
        n = len(sel)
        plain = sum(r.cer_plain for r in sel) / n
        pipe = sum(r.cer_pipeline for r in sel) / n
        timed = [r.seconds_pipeline for r in sel if r.seconds_pipeline is not None]
        score = scores.get(variant)
        table.append((variant, str(n), f"{plain:.3f}", f"{pipe:.3f}", f"{pipe / plain:.2f}" if plain else "-",
                      f"{sum(r.f1_plain for r in sel) / n:.3f}", f"{sum(r.f1_pipeline for r in sel) / n:.3f}",
                      f"{sum(r.seconds_plain for r in sel) / n:.2f}",
                      f"{sum(timed) / len(timed):.2f}" if timed else "-",
                      f"{score:.3f}" if score is not None else "-"))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--ids", help="comma-separated spec ids (default: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out")
    ap.add_argument("--no-score", action="store_true", help="only plain Tesseract (no checker run)")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per image")
    args = ap.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    ids = set(args.ids.split(",")) if args.ids else None
    args.out.mkdir(parents=True, exist_ok=True)
    images = select_images(args.corpus, ids, variants)
    if not images:
        print("no images found", file=sys.stderr)
        return 2
    specs = {sid: yaml.safe_load((args.corpus / f"{sid}.yaml").read_text()) for sid, _, _ in images}
    version = tesseract_version()

    reports: list[dict] = []
    scores: dict = {}
    if not args.no_score:
        spec_dir = subset_dir(args.corpus, ids, args.out) if ids else args.corpus
        reports, _ = run_pipeline(spec_dir, variants, args.out)
        scores_file = args.out / "scores.json"
        if scores_file.exists():
            scores = json.loads(scores_file.read_text())
        if reports and len(reports) != len(images):
            print(f"{len(reports)} reports for {len(images)} images; pipeline CER left out", file=sys.stderr)
            reports = []

    rows: list[Row] = []
    for i, (sid, variant, path) in enumerate(images):
        ref = reference_text(specs[sid])
        plain, plain_seconds = plain_tesseract(path, args.out / "plain", version)
        report = reports[i] if reports else {}
        text = report_text(report)
        seconds = (report.get("timings") or {})
        row = Row(variant, cer(plain, ref), cer(text, ref) if reports else float("nan"), word_f1(plain, ref),
                  word_f1(text, ref) if reports else float("nan"), plain_seconds,
                  sum(seconds.values()) if seconds else None)
        rows.append(row)
        if args.verbose:
            print(f"{path.name:16} CER plain {row.cer_plain:.3f} pipeline {row.cer_pipeline:.3f}  "
                  f"wordF1 {row.f1_plain:.3f} / {row.f1_pipeline:.3f}  "
                  f"{row.seconds_plain:.1f} s / {row.seconds_pipeline or 0:.1f} s  "
                  f"{report.get('verdict')} {(report.get('ocr') or {}).get('passes', '')}")
    print()
    print_table(rows, variants, scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
