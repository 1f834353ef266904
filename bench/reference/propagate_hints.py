"""Bench-only reference: the points' edge-aware spreading solved exactly with SciPy.

The objective of src/hints/propagate-hints.ts (Levin, Lischinski & Weiss 2004, "Colorization using
Optimization", applied to a prediction's residual): a weighted graph Laplacian over 4-neighbours with
w = exp(-(dL^2 + c^2 dab^2) / (2 sigma^2)), plus lambda * m on the diagonal and epsilon, built here as a
scipy.sparse matrix (written here from the objective, not from the TypeScript) and solved by SuperLU
(scipy.sparse.linalg.spsolve) for both ab channels. Args: path width height sigma c epsilon lambda out,
where path holds float32 planes lightness (n), ab (2n), hintAb (2n), hintWeight (n) one after the other,
and out receives the exact result (2n float32, clipped to +-110) after setup. Run with Debian's /usr/bin/python3.
"""
import os
import sys

import numpy as np
import scipy
import scipy.sparse as sp
from scipy.sparse.linalg import splu

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import serve  # noqa: E402


def setup(args):
    path, width, height = args[0], int(args[1]), int(args[2])
    sigma, c, eps, lam, out = float(args[3]), float(args[4]), float(args[5]), float(args[6]), args[7]
    n = width * height
    planes = np.fromfile(path, dtype="<f4").astype(np.float64)
    lightness, ab = planes[:n], planes[n : 3 * n].reshape(n, 2)
    hint_ab, m = planes[3 * n : 5 * n].reshape(n, 2), planes[5 * n : 6 * n]
    idx = np.arange(n).reshape(height, width)
    pairs = [(idx[:, :-1].ravel(), idx[:, 1:].ravel()), (idx[:-1, :].ravel(), idx[1:, :].ravel())]
    i = np.concatenate([p[0] for p in pairs])
    j = np.concatenate([p[1] for p in pairs])
    d2 = (lightness[i] - lightness[j]) ** 2 + c * c * ((ab[i] - ab[j]) ** 2).sum(axis=1)
    w = np.exp(-d2 / (2 * sigma * sigma))
    weights = sp.coo_matrix((w, (i, j)), shape=(n, n))
    weights = (weights + weights.T).tocsr()
    degree = np.asarray(weights.sum(axis=1)).ravel()
    a = (sp.diags(degree + lam * m + eps) - weights).tocsc()
    rhs = (lam * m)[:, None] * (hint_ab - ab)
    state = {"a": a, "rhs": rhs, "ab": ab}
    result = np.clip(ab + solve(state), -110, 110).astype("<f4")
    result.tofile(out)
    return state


def solve(state):
    return splu(state["a"]).solve(state["rhs"])


def run(state):
    solve(state)


serve(setup, run, {"scipy": scipy.__version__, "numpy": np.__version__})
