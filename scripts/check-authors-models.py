"""Full-size check of a converted published model against PyTorch, to run by hand where the authors'
files can be downloaded (the development machines cannot reach them, so this has not been run there).

  tfjs-colorization get eccv16 --cache /tmp/authors            # downloads and converts
  tfjs-colorization colorize photo.png -o /tmp/authors/out --model /tmp/authors/eccv16
  /usr/bin/python3 scripts/check-authors-models.py eccv16 /tmp/authors/colorization_release_v2-9b330a0b.pth \
      photo.png /tmp/authors/out/photo.png

The script loads the .pth into the authors' layout (the networks of tests/fixtures/make_published_layouts.py
at full width, load_state_dict(strict=True), so every key and shape is checked), runs the authors' demo
pipeline (Pillow bicubic resize to 256 x 256, rgb2lab, the network, bilinear upsampling with
align_corners=False, the photo's own L, lab2rgb, 8 bits), and compares the picture the library wrote
with the authors' picture, both read back in Lab: mean |delta ab| must be at most 1 (8-bit rounding). For siggraph17 it runs without hints,
as the library does: hint_ab 0 and the mask 0 before centring (-0.5 after), the network's training
convention (the authors' demo passes an uncentred 0 instead; see docs/authors-models.md).
Needs torch, numpy, scikit-image and Pillow.
"""
import importlib.util
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from skimage import color

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('layouts', os.path.join(HERE, '..', 'tests', 'fixtures', 'make_published_layouts.py'))
layouts = importlib.util.module_from_spec(spec)
spec.loader.exec_module(layouts)


def main(arch, pth, photo, ours, width=1.0):
    net = layouts.Eccv16(width) if arch == 'eccv16' else layouts.Siggraph17(width)
    net.load_state_dict(torch.load(pth, map_location='cpu'), strict=True)
    net.eval()
    rgb = np.asarray(Image.open(photo).convert('RGB'))
    rgb_rs = np.asarray(Image.fromarray(rgb).resize((256, 256), resample=Image.BICUBIC))
    l_orig = torch.tensor(color.rgb2lab(rgb)[:, :, 0], dtype=torch.float32)[None, None]
    l_rs = torch.tensor(color.rgb2lab(rgb_rs)[:, :, 0], dtype=torch.float32)[None, None]
    with torch.no_grad():
        if arch == 'eccv16':
            ab = net(l_rs)
        else:
            ab = net(l_rs, torch.zeros(1, 2, 256, 256), torch.zeros(1, 1, 256, 256) - 0.5)[0] * 110
        ab = F.interpolate(ab, size=l_orig.shape[2:], mode='bilinear', align_corners=False)
    # The authors' picture as their demo makes it (lab2rgb clips out-of-gamut colours), in 8 bits.
    lab = np.concatenate([l_orig[0].numpy(), ab[0].numpy()], axis=0).transpose(1, 2, 0)
    reference_rgb = np.round(np.clip(color.lab2rgb(lab), 0, 1) * 255).astype(np.uint8)
    written_rgb = np.asarray(Image.open(ours).convert('RGB'))
    reference = color.rgb2lab(reference_rgb)[:, :, 1:]
    written = color.rgb2lab(written_rgb)[:, :, 1:]
    delta = np.sqrt(((written - reference) ** 2).sum(axis=2))
    rgb_delta = np.abs(written_rgb.astype(int) - reference_rgb.astype(int))
    print(f'{arch}: mean |delta ab| {delta.mean():.3f} (99th percentile {np.percentile(delta, 99):.3f}), mean |delta RGB| {rgb_delta.mean():.3f}, max {rgb_delta.max()}')
    return 0 if delta.mean() <= 1 else 1


if __name__ == '__main__':
    # An optional fifth argument, the width multiplier, checks the narrow fixtures of the same layouts.
    if len(sys.argv) not in (5, 6) or sys.argv[1] not in ('eccv16', 'siggraph17'):
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:5], *[float(w) for w in sys.argv[5:]]))
