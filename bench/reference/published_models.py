"""Bench-only reference: the authors' ECCV16 and SIGGRAPH17 networks at full width in PyTorch, and their
ONNX export for onnxruntime-web.

The networks are the ones of tests/fixtures/make_published_layouts.py (same module names and structure
as richzhang/colorization's colorizers/eccv16.py and siggraph17.py) at width 1, random weights: only the
time matters. Timed: ECCV16's logits (model1 ... model8, what the library's model computes; softmax and
model_out are the decoder's) and SIGGRAPH17's forward (ab and class logits) on a 1 x 1 x size x size
lightness (and, for SIGGRAPH17, empty hints).

Arguments: <eccv16|siggraph17> <size> [--onnx <path>]: with --onnx, write the same function as an ONNX
model (opset 13) before serving. Run with Debian's /usr/bin/python3 (python3-torch); timed by
bench/harness.ts through serve.py (2 threads unless TORCH_THREADS says otherwise).
"""
import importlib.util
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from serve import serve  # noqa: E402

spec = importlib.util.spec_from_file_location('layouts', os.path.join(HERE, '..', '..', 'tests', 'fixtures', 'make_published_layouts.py'))
layouts = importlib.util.module_from_spec(spec)
spec.loader.exec_module(layouts)

THREADS = int(os.environ.get('TORCH_THREADS', '2'))


class Eccv16Logits(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, l):
        return self.net.logits(l)


def setup(args):
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    arch, size = args[0], int(args[1])
    if arch == 'eccv16':
        net = Eccv16Logits(layouts.Eccv16(1.0))
        inputs = (torch.rand(1, 1, size, size) * 100,)
    else:
        net = layouts.Siggraph17(1.0)
        inputs = (torch.rand(1, 1, size, size) * 100, torch.zeros(1, 2, size, size), torch.zeros(1, 1, size, size) - 0.5)
    layouts.randomize(net, 0)
    net.eval()
    if '--onnx' in args:
        path = args[args.index('--onnx') + 1]
        names = ['lightness'] if arch == 'eccv16' else ['lightness', 'hint_ab', 'hint_mask']
        with torch.no_grad():
            torch.onnx.export(net, inputs, path, opset_version=13, input_names=names)
    return {'net': net, 'inputs': inputs}


def run(state):
    with torch.no_grad():
        state['net'](*state['inputs'])


if __name__ == '__main__':
    serve(setup, run, {'torch': torch.__version__, 'threads': THREADS})
