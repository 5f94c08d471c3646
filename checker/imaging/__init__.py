"""Step 1: the photo -> upright images ready for OCR (load, prepare, straighten; Pillow and OpenCV)."""
from __future__ import annotations

from checker.imaging.load import LoadedImage, describe, load_image, sniff, to_rgb
from checker.imaging.preparation import TARGET_TEXT_HEIGHT, PreparedImage, prepare, to_gray
from checker.imaging.straightening import Candidate, candidates, looks_flat, render, straighten

__all__ = ["TARGET_TEXT_HEIGHT", "Candidate", "LoadedImage", "PreparedImage", "candidates", "describe",
           "load_image", "looks_flat", "prepare", "render", "sniff", "straighten", "to_gray", "to_rgb"]
