#!/usr/bin/python3
"""NumPy reference for rill's GRU benchmark graphs (bench/gru_graphs.h).

Reads what `rill_bench --export_dir=DIR` wrote for each case and step count
(<case>_T<steps>_{gates_kernel,gates_bias,candidate_kernel,candidate_bias,x,
h0,rill_out}.npy), runs the TF-1.x GRU formula in float64 with the same
weights and inputs, and prints one line per file set:

    numpy_check case=b1_i128_h128 T=100 max_abs_diff=8.1e-08 ok=yes

Exit status 0 when every max |rill - numpy| < --tol (default 1e-4), else 1.
Usage: check_gru_numpy.py DIR [--tol=1e-4]
"""
import glob
import os
import sys

import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def gru(x, h, wg, bg, wc, bc):
    """x: [T, B, I]; h: [B, H]; returns the final state [B, H]."""
    units = h.shape[1]
    for x_t in x:
        g = sigmoid(np.concatenate([x_t, h], axis=1) @ wg + bg)
        r, u = g[:, :units], g[:, units:]
        c = np.tanh(np.concatenate([x_t, r * h], axis=1) @ wc + bc)
        h = u * h + (1.0 - u) * c
    return h


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    tol = 1e-4
    for a in argv[1:]:
        if a.startswith("--tol="):
            tol = float(a.split("=", 1)[1])
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    outs = sorted(glob.glob(os.path.join(args[0], "*_rill_out.npy")))
    if not outs:
        print("numpy_check error: no *_rill_out.npy in " + args[0], file=sys.stderr)
        return 1
    worst, ok = 0.0, True
    for out in outs:
        prefix = out[: -len("rill_out.npy")]
        load = lambda n: np.load(prefix + n + ".npy").astype(np.float64)
        want = gru(load("x"), load("h0"), load("gates_kernel"), load("gates_bias"),
                   load("candidate_kernel"), load("candidate_bias"))
        got = np.load(out).astype(np.float64)
        diff = float(np.max(np.abs(got - want))) if got.shape == want.shape else float("inf")
        name = os.path.basename(prefix).rstrip("_")
        case, steps = name.rsplit("_T", 1)
        good = diff < tol
        print(f"numpy_check case={case} T={steps} max_abs_diff={diff:.3g} ok={'yes' if good else 'no'}")
        worst, ok = max(worst, diff), ok and good
    print(f"numpy_check all max_abs_diff={worst:.3g} tol={tol:g} ok={'yes' if ok else 'no'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
