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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
LANGS = "eng+nld+deu+fra"
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str, int]:
    """Wall seconds, stdout and peak RSS (KiB) of the child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env or ENV, cwd=ROOT)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, proc.stdout, max(peak, before)


def bare_tesseract(image: Path) -> tuple[float, int]:
    """Seconds and characters read of one plain four-language Tesseract run."""
    seconds, out, _ = timed(["tesseract", str(image), "-", "-l", LANGS])
    return seconds, len("".join(out.split()))


def straightened_view(image: Path, out_dir: Path) -> Path:
    """The checker's first preparation of the image (the straightened view of a photo), as a PNM file:
    what plain Tesseract needs to be given before it reads a photographed label at all."""
    sys.path.insert(0, str(ROOT))
    from checker import imaging

    loaded = imaging.load_image(image.read_bytes(), image.name)
    view = imaging.candidates(loaded.image)[0](loaded.image).image
    path = out_dir / f"{image.stem}.view.pgm"
    view.save(path)
    return path


def checker_run(image: Path) -> tuple[float, dict]:
    seconds, out, _ = timed([PYTHON, "-m", "checker", "check", "--format", "jsonl", str(image)])
    line = next((ln for ln in out.splitlines() if ln.startswith("{")), "{}")
    return seconds, json.loads(line)


def startup_seconds(runs: int, *, cache: bool = True) -> float:
    """Import + reference data + fuzzy vocabulary (what every `python -m checker check` pays first);
    cache=False: CHECKER_CACHE_DIR=off, everything validated and built from the YAML files."""
    code = ("from checker.reference import default_reference; import checker.pipeline; "
            "from checker.parsing.fuzzy import vocabulary; vocabulary(default_reference())")
    env = ENV if cache else {**ENV, "CHECKER_CACHE_DIR": "off"}
    timed([PYTHON, "-c", code], env)  # fills the cache when it is on
    return statistics.median(timed([PYTHON, "-c", code], env)[0] for _ in range(runs))


def text_check_seconds(corpus: Path, runs: int) -> float | None:
    """`python -m checker check --text` on one corpus label (process start-up included)."""
    spec = next(iter(sorted(corpus.glob("*.yaml"))), None)
    if spec is None:
        return None
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "speed-bench-label.txt"
    path.write_text(label_text(spec), encoding="utf-8")
    return statistics.median(timed([PYTHON, "-m", "checker", "check", "--text", str(path)])[0]
                             for _ in range(runs))


def label_text(spec: Path) -> str:
    """The printed text of a corpus spec (blocks and table rows, one per line)."""
    import yaml

    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    lines = []
    for block in data.get("blocks", []):
        lines += [block["text"]] if "text" in block else ["\t".join(row) for row in block.get("rows") or []]
    return "\n".join(lines)


def warm_parse(corpus: Path, runs: int) -> None:
    """Median parse + rules time per corpus label, in a warm process (vocabulary built, regexes compiled)."""
    sys.path.insert(0, str(ROOT))
    from checker import rules
    from checker.parsing import parse_label
    from checker.reference import default_reference

    ref = default_reference()
    texts = [label_text(p) for p in sorted(corpus.glob("*.yaml"))]
    if not texts:
        return
    start = time.perf_counter()
    rules.evaluate(parse_label(texts[0], ref), ref)
    print(f"first parse+rules in a process (builds or loads the vocabulary): "
          f"{1000 * (time.perf_counter() - start):.0f} ms")
    times = []
    for text in texts:
        for _ in range(runs):
            start = time.perf_counter()
            rules.evaluate(parse_label(text, ref), ref)
            times.append(time.perf_counter() - start)
    print(f"warm parse+rules per corpus label: median {1000 * statistics.median(times):.1f} ms, "
          f"max {1000 * max(times):.1f} ms (n={len(texts)} labels x {runs})")


def parse_worst_cases() -> None:
    """Parse + rules time on long and hostile texts (the pages accept up to CHECKER_MAX_TEXT characters)."""
    sys.path.insert(0, str(ROOT))
    from checker import rules
    from checker.parsing import MAX_TEXT_CHARS, parse_label
    from checker.reference import default_reference

    ref = default_reference()
    label = ("Ingredients: sodium butyrate (64 %), microcrystalline cellulose, magnesium stearate. "
             "Per capsule: sodium butyrate 600 mg. Take 1 capsule twice a day. Do not exceed. ")
    n = MAX_TEXT_CHARS

    def fill(unit: str) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    cases = {"one label": label, "label x 40": label * 40, "10,000 digits": "1" * 10_000,
             "'mg' storm": "5 mg " * 2_000, "nested brackets": "(" * 3_000 + ")" * 3_000,
             # the same shapes at the largest accepted text, and what used to be quadratic or worse
             "max digits": "1" * n, "max 'mg' storm": fill("5 mg "), "max '%' storm": fill("5% "),
             "max brackets": "(" * (n // 2) + ")" * (n // 2), "max open '('": "(" * n,
             "max spaces": " " * n, "max newlines": "\n" * n, "'|' then x": "|" * 40 + "x",
             "max headings": fill("Ingredients: "), "max blank lines": fill("a\n\n"),
             "max row + tab": fill("Koel, droog en donker bewaren, niet boven 25 °C.\n"),
             "max microbes": fill("Colonis Butyraat + Akkermansia "),
             "max strain rows": fill("Lactobacillus acidophilus NV-118\t25 mg "),
             "max Capital Words": fill("Biomare Postbiotica Complex "),
             "max frequencies": fill("2 capsules daily 2 x per dag "), "max label": fill(label)}
    for name, text in cases.items():
        start = time.perf_counter()
        rules.evaluate(parse_label(text, ref), ref)
        print(f"parse+rules {name:<18} {len(text):>7} chars {1000 * (time.perf_counter() - start):9.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--variants", default="clean,scan,photo,hard")
    ap.add_argument("--ids", default="", help="comma-separated spec ids (default: all)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    corpus = Path(args.corpus)
    ids = [i for i in args.ids.split(",") if i] or sorted(p.stem for p in corpus.glob("*.yaml"))
    cached, uncached = startup_seconds(args.runs), startup_seconds(args.runs, cache=False)
    print(f"start-up (import + reference + vocabulary), median of {args.runs}: "
          f"{cached:.2f} s cached, {uncached:.2f} s uncached")
    text_check = text_check_seconds(corpus, args.runs)
    if text_check is not None:
        print(f"python -m checker check --text (one label, whole process): {text_check:.2f} s")
    warm_parse(corpus, args.runs)
    parse_worst_cases()
    print("tesseract: one plain `tesseract IMAGE - -l eng+nld+deu+fra` (OMP_THREAD_LIMIT=1), and the "
          "characters it read; view: the same on the checker's straightened view; check: `python -m checker "
          "check` (start-up included); passes: Tesseract runs of the check")
    header = (f"{'image':<16}{'tesseract s':>12}{'chars':>6}{'view s':>7}{'chars':>6}{'check s':>8}"
              f"{'ratio':>6}{'/view':>6}  passes  stages (median s)")
    print(header)
    ratios: dict[str, list[float]] = {}
    view_ratios: dict[str, list[float]] = {}
    stage_sums: dict[str, list[float]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="speed-bench-"))
    for variant in args.variants.split(","):
        for sid in ids:
            image = next((p for ext in ("png", "jpg") if (p := corpus / f"{sid}.{variant}.{ext}").exists()),
                         None)
            if image is None:
                continue
            bare_runs = [bare_tesseract(image) for _ in range(args.runs)]
            bare, bare_chars = statistics.median(s for s, _ in bare_runs), bare_runs[0][1]
            view = straightened_view(image, scratch)
            view_runs = [bare_tesseract(view) for _ in range(args.runs)]
            on_view, view_chars = statistics.median(s for s, _ in view_runs), view_runs[0][1]
            runs = [checker_run(image) for _ in range(args.runs)]
            full = statistics.median(s for s, _ in runs)
            stages: dict[str, float] = {}
            for name in (runs[0][1].get("timings") or {}):
                stages[name] = statistics.median((r.get("timings") or {}).get(name, 0.0) for _, r in runs)
                stage_sums.setdefault(name, []).append(stages[name])
            passes = len((runs[0][1].get("ocr") or {}).get("passes") or ())
            ratio = full / bare if bare else float("nan")
            ratios.setdefault(variant, []).append(ratio)
            view_ratios.setdefault(variant, []).append(full / on_view if on_view else float("nan"))
            text = " ".join(f"{k} {v:.2f}" for k, v in stages.items())
            print(f"{image.name:<16}{bare:>12.2f}{bare_chars:>6}{on_view:>7.2f}{view_chars:>6}{full:>8.2f}"
                  f"{ratio:>6.2f}{full / on_view:>6.2f}  {passes:>6}  {text}")
    print()
    for variant, values in ratios.items():
        print(f"median ratio check/tesseract, {variant}: {statistics.median(values):.2f}; check/tesseract on "
              f"the straightened view: {statistics.median(view_ratios[variant]):.2f} (n={len(values)})")
    for name, values in stage_sums.items():
        print(f"median stage {name}: {statistics.median(values) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
