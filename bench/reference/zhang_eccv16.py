"""Bench-only reference: the ECCV16 colorization network of Zhang, Isola & Efros 2016 in PyTorch.

Same layer table as src/models/zhang-eccv16.ts (Fig. 2 / Table 4 of the paper): eight blocks of 3x3
convs with ReLU, BatchNorm closing blocks 1-7, stride 2 at the end of blocks 1-3 (symmetric padding 1),
dilation 2 in blocks 5-6, a 4x4 stride-2 transposed conv opening block 8, and a 1x1 conv to the bins.
Random weights: only the time matters.

Modes (first argument):
  infer  size width          -> eval, no_grad, one forward of a 1x1xsize x size lightness
  train  size width batch    -> one step: forward, class-rebalanced softmax cross-entropy over the
                                bins at size/4 (Zhang et al. 2016 eq. 2-3), backward, Adam
Torch runs with 2 threads (torch.set_num_threads; env TORCH_THREADS); the harness sets OPENBLAS_NUM_THREADS=1.
Peak RSS of this process is printed to stderr when it ends.
Run with Debian's /usr/bin/python3 (python3-torch). Timed by bench/harness.ts through serve.py.
"""
import atexit
import os
import resource
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import serve  # noqa: E402

# Torch threads: 2 (the reference) unless TORCH_THREADS says otherwise; 1 is robust to a loaded machine.
THREADS = int(os.environ.get("TORCH_THREADS", "2"))

# (output channels, stride of the block's last conv, dilation) for blocks 1-7.
BLOCKS = [
    ([64, 64], 2, 1),
    ([128, 128], 2, 1),
    ([256, 256, 256], 2, 1),
    ([512, 512, 512], 1, 1),
    ([512, 512, 512], 1, 2),
    ([512, 512, 512], 1, 2),
    ([512, 512, 512], 1, 1),
]


def build_eccv16(width=1.0, bins=313):
    scale = lambda c: max(1, round(c * width))  # noqa: E731
    layers, cin = [], 1
    for channels, last_stride, dilation in BLOCKS:
        for j, c in enumerate(channels):
            stride = last_stride if j == len(channels) - 1 else 1
            layers += [nn.Conv2d(cin, scale(c), 3, stride, padding=dilation, dilation=dilation), nn.ReLU(True)]
            cin = scale(c)
        layers.append(nn.BatchNorm2d(cin))
    decoder = scale(256)
    layers += [
        nn.ConvTranspose2d(cin, decoder, 4, 2, 1), nn.ReLU(True),
        nn.Conv2d(decoder, decoder, 3, 1, 1), nn.ReLU(True),
        nn.Conv2d(decoder, decoder, 3, 1, 1), nn.ReLU(True),
        nn.Conv2d(decoder, bins, 1),
    ]
    return nn.Sequential(*layers)


def setup(args):
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    mode = args[0] if args else "infer"
    size = int(args[1]) if len(args) > 1 else 256
    width = float(args[2]) if len(args) > 2 else 1.0
    model = build_eccv16(width)
    if mode == "infer":
        model.eval()
        return {"mode": mode, "model": model, "x": torch.rand(1, 1, size, size) - 0.5}
    batch = int(args[3]) if len(args) > 3 else 16
    model.train()
    x = torch.rand(batch, 1, size, size) - 0.5
    y = torch.randint(0, 313, (batch, size // 4, size // 4))
    class_weights = torch.rand(313) + 0.5
    return {
        "mode": mode,
        "model": model,
        "x": x,
        "y": y,
        "loss": nn.CrossEntropyLoss(weight=class_weights),
        "opt": torch.optim.Adam(model.parameters(), 3e-5, betas=(0.9, 0.99)),
    }


def run(state):
    model, x = state["model"], state["x"]
    if state["mode"] == "infer":
        with torch.no_grad():
            model(x)
        return
    opt = state["opt"]
    opt.zero_grad()
    state["loss"](model(x), state["y"]).backward()
    opt.step()


def report_peak_rss():
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stderr.write(f"zhang_eccv16.py peak RSS {peak_mib:.0f} MiB\n")


if __name__ == "__main__":
    atexit.register(report_peak_rss)
    serve(setup, run, {"torch": torch.__version__, "threads": THREADS})
