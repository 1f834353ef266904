"""Bench-only reference: one training step of the conditional GAN of Nazeri, Ng & Ebrahimi 2018
("Image Colorization Using Generative Adversarial Networks"), CIFAR-10 tables, in PyTorch.

Same networks as buildNazeriGan({ preset: 'cifar10' }) (src/models/nazeri-*.ts):
  G: U-Net, 4x4 convs 64(s1)-128-256-512-512, BatchNorm, LeakyReLU 0.2; 4x4 stride-2 transposed convs
     512-256-128-64, BatchNorm, ReLU, dropout 0.5 in the first two, skip concatenation; 1x1 conv to ab, tanh.
  D: (L, ab) concatenated, 4x4 convs 64(s2)-128(s2)-256(s2)-512(s1), BatchNorm from the second,
     LeakyReLU 0.2; 4x4 conv to one logit per patch.
One step, as src/train/gan-trainer.ts does it: G forward without gradients; D step on real pairs
(label 0.9) and generated pairs (label 0); G step (G forward again, adversarial BCE + 100 x L1); Adam
(lr 2e-4, beta1 0.5) for each. Random data and weights: only the time matters.

Args: batch (default 32). Torch with 2 threads (env TORCH_THREADS); peak RSS printed to stderr on exit.
Run with Debian's /usr/bin/python3 (python3-torch). Timed by bench/harness.ts through serve.py.
"""
import atexit
import os
import resource
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import serve  # noqa: E402

# Torch threads: 2 (the reference) unless TORCH_THREADS says otherwise; 1 is robust to a loaded machine.
THREADS = int(os.environ.get("TORCH_THREADS", "2"))

ENCODER = [64, 128, 256, 512, 512]
DECODER = [512, 256, 128, 64]
DISCRIMINATOR = [64, 128, 256, 512]


def conv4(cin, cout, stride):
    # TensorFlow 'same' for a 4x4 kernel: stride 1 pads 1 before and 2 after; stride 2 pads 1 and 1 on even sizes.
    return nn.Conv2d(cin, cout, 4, stride, padding="same" if stride == 1 else 1)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder, cin = nn.ModuleList(), 1
        for i, c in enumerate(ENCODER):
            self.encoder.append(nn.Sequential(conv4(cin, c, 1 if i == 0 else 2), nn.BatchNorm2d(c, eps=1e-3, momentum=0.01), nn.LeakyReLU(0.2)))
            cin = c
        self.decoder = nn.ModuleList()
        for j, c in enumerate(DECODER):
            layers = [nn.ConvTranspose2d(cin, c, 4, 2, 1), nn.BatchNorm2d(c, eps=1e-3, momentum=0.01), nn.ReLU()]
            if j < 2:
                layers.append(nn.Dropout(0.5))
            self.decoder.append(nn.Sequential(*layers))
            cin = c + ENCODER[len(ENCODER) - 2 - j]
        self.out = nn.Conv2d(cin, 2, 1)

    def forward(self, x):
        skips = []
        for block in self.encoder:
            x = block(x)
            skips.append(x)
        for j, block in enumerate(self.decoder):
            x = torch.cat([skips[len(skips) - 2 - j], block(x)], 1)
        return torch.tanh(self.out(x))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for i, c in enumerate(DISCRIMINATOR):
            layers.append(conv4(cin, c, 1 if i == len(DISCRIMINATOR) - 1 else 2))
            if i > 0:
                layers.append(nn.BatchNorm2d(c, eps=1e-3, momentum=0.01))
            layers.append(nn.LeakyReLU(0.2))
            cin = c
        layers.append(conv4(cin, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, lightness, ab):
        return self.net(torch.cat([lightness, ab], 1))


def setup(args):
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    batch = int(args[0]) if args else 32
    g, d = Generator().train(), Discriminator().train()
    return {
        "g": g,
        "d": d,
        "g_opt": torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999)),
        "d_opt": torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999)),
        "lightness": torch.rand(batch, 1, 32, 32) - 0.5,
        "ab": torch.rand(batch, 2, 32, 32) * 2 - 1,
    }


def run(state):
    g, d, lightness, ab = state["g"], state["d"], state["lightness"], state["ab"]
    with torch.no_grad():
        fake = g(lightness)
    state["d_opt"].zero_grad()
    real_logits, fake_logits = d(lightness, ab), d(lightness, fake)
    d_loss = F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, 0.9)) + F.binary_cross_entropy_with_logits(
        fake_logits, torch.zeros_like(fake_logits)
    )
    d_loss.backward()
    state["d_opt"].step()
    state["g_opt"].zero_grad()
    generated = g(lightness)
    logits = d(lightness, generated)
    g_loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits)) + 100 * (generated - ab).abs().mean()
    g_loss.backward()
    state["g_opt"].step()


def report_peak_rss():
    sys.stderr.write(f"nazeri_gan.py peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB\n")


if __name__ == "__main__":
    atexit.register(report_peak_rss)
    serve(setup, run, {"torch": torch.__version__, "threads": THREADS})
