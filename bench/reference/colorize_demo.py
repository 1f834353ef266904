"""Bench-only reference: the authors' colorization demo pipeline (richzhang/colorization, demo_release.py
with colorizers/util.py) on one photo, end to end, with the ECCV16 network of zhang_eccv16.py.

Steps, as the demo does them:
  1. load_img: decode the file with PIL into an RGB uint8 array (gray files tiled to 3 channels);
  2. preprocess_img: PIL resize to 256x256 (bicubic), skimage rgb2lab of the full-size and the resized image,
     keep both L channels;
  3. the network on the 256x256 L (input L - 50, as the port's normalize_l with l_cent 50, l_norm 100),
     its model_out step (softmax over the bins, 1x1 conv to ab, x110) and 4x bilinear upsampling to 256;
  4. postprocess_tens: bilinear interpolation of ab to the full size, concatenated with the full-size L,
     skimage lab2rgb;
  5. encode the result as JPEG (PIL, quality 92; the demo saves PNG with matplotlib).
Random weights: only the time matters.

Args: input path, output path. Torch with 2 threads (env TORCH_THREADS); peak RSS printed to stderr on exit.
Run with Debian's /usr/bin/python3 (python3-torch, python3-skimage, python3-pil). Timed by bench/harness.ts.
"""
import atexit
import os
import resource
import sys

import numpy as np
import skimage
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from skimage import color

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import serve  # noqa: E402

# Torch threads: 2 (the reference) unless TORCH_THREADS says otherwise; 1 is robust to a loaded machine.
THREADS = int(os.environ.get("TORCH_THREADS", "2"))
from zhang_eccv16 import build_eccv16  # noqa: E402


class Eccv16Demo(nn.Module):
    """The port's forward: normalized L in, ab (Lab units) out at the input size."""

    def __init__(self):
        super().__init__()
        self.body = build_eccv16(1.0)
        self.softmax = nn.Softmax(dim=1)
        self.model_out = nn.Conv2d(313, 2, 1, bias=False)
        self.upsample4 = nn.Upsample(scale_factor=4, mode="bilinear")

    def forward(self, lightness):
        logits = self.body((lightness - 50.0) / 100.0)
        return self.upsample4(self.model_out(self.softmax(logits))) * 110.0


def setup(args):
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    model = Eccv16Demo().eval()
    return {"model": model, "input": args[0], "output": args[1]}


def run(state):
    rgb = np.asarray(Image.open(state["input"]))
    if rgb.ndim == 2:
        rgb = np.tile(rgb[:, :, None], 3)
    rgb_small = np.asarray(Image.fromarray(rgb).resize((256, 256), resample=3))
    l_full = color.rgb2lab(rgb)[:, :, 0]
    l_small = color.rgb2lab(rgb_small)[:, :, 0]
    with torch.no_grad():
        ab = state["model"](torch.Tensor(l_small)[None, None, :, :])
    ab_full = F.interpolate(ab, size=l_full.shape, mode="bilinear")
    lab = torch.cat((torch.Tensor(l_full)[None, None, :, :], ab_full), dim=1)
    out = color.lab2rgb(lab.numpy()[0].transpose((1, 2, 0)))
    Image.fromarray((np.clip(out, 0, 1) * 255).round().astype(np.uint8)).save(state["output"], quality=92)


def report_peak_rss():
    sys.stderr.write(f"colorize_demo.py peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB\n")


if __name__ == "__main__":
    atexit.register(report_peak_rss)
    serve(setup, run, {"torch": torch.__version__, "skimage": skimage.__version__, "threads": THREADS})
