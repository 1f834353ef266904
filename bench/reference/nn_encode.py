"""Bench-only reference: soft-encode a 256x256 ab map the way Zhang et al.'s training code does.

Zhang, Isola, Efros, "Colorful Image Colorization", ECCV 2016, Sec. 3.1: each ab value is spread over
its k nearest of the 313 bins with Gaussian weights (sigma 5). Their training code searches the bins
with scikit-learn's NearestNeighbors (ball tree) and scatters the weights into a dense (P, 313) array.
This script reproduces that approach (written here, not copied) for timing against the TypeScript
encoder. Args: k sigma path [--cpu-times N], where path holds the ab map as raw little-endian float32
(a, b) pairs (written by bench/soft-encode.bench.ts). With --cpu-times N it does not serve: it runs N
times and prints one JSON list of per-run CPU times (time.process_time, ms), which other processes on a
shared machine do not inflate. Run with Debian's /usr/bin/python3.
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.neighbors import NearestNeighbors

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import serve_or_time_cpu  # noqa: E402

GAMUT_JSON = "/work/shared/reference/zhang-ab-gamut-313.json"


def setup(args):
    k = int(args[0])
    sigma = float(args[1])
    ab = np.fromfile(args[2], dtype="<f4").reshape(-1, 2)
    with open(GAMUT_JSON) as f:
        bins = np.array(json.load(f)["points"], dtype=np.float64)
    nbrs = NearestNeighbors(n_neighbors=k, algorithm="ball_tree").fit(bins)
    out = np.zeros((ab.shape[0], bins.shape[0]), dtype=np.float32)
    rows = np.arange(ab.shape[0])[:, None]
    return {"nbrs": nbrs, "ab": ab, "out": out, "rows": rows, "sigma": sigma}


def run(state):
    dist, idx = state["nbrs"].kneighbors(state["ab"])
    w = np.exp(-(dist ** 2) / (2.0 * state["sigma"] ** 2))
    w /= w.sum(axis=1, keepdims=True)
    out = state["out"]
    out.fill(0.0)
    out[state["rows"], idx] = w


if __name__ == "__main__":
    serve_or_time_cpu(setup, run, {"numpy": np.__version__, "sklearn": sklearn.__version__, "algorithm": "ball_tree"})
