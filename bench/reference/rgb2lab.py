"""Bench-only reference: scikit-image rgb2lab on a size x size uint8 RGB image (uniform random colours).

Args: size seed [dtype] [--cpu-times N]  (dtype uint8 | float32; float32 input is the uint8 image / 255).
With --cpu-times N it does not serve: it runs N times and prints one JSON list of per-run CPU times
(time.process_time, ms), which other processes on a shared machine do not inflate.
Run with Debian's /usr/bin/python3 (scikit-image 0.19). Timed by bench/harness.ts through serve.py.
"""
import os
import sys

import numpy as np
import skimage
from skimage.color import rgb2lab

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import serve_or_time_cpu  # noqa: E402


def setup(args):
    size = int(args[0]) if len(args) > 0 else 1024
    seed = int(args[1]) if len(args) > 1 else 0
    dtype = args[2] if len(args) > 2 else "uint8"
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    if dtype == "float32":
        image = image.astype(np.float32) / 255
    return {"image": image}


def run(state):
    rgb2lab(state["image"])


if __name__ == "__main__":
    serve_or_time_cpu(setup, run, {"skimage": skimage.__version__, "numpy": np.__version__})
