// A production bundle that reads PyTorch state dicts in the page: the reader and its zip dependency must
// need no Node API. Files come from /torch/ (the fixtures of tests/fixtures/torch_state_dicts).
import { WeightsFileError, readTorchStateDict } from 'tfjs-colorization';

async function fetchBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(path)).arrayBuffer());
}

const files: { [name: string]: { [key: string]: { dtype: string; shape: number[]; values: number[] } } } = {};
for (const name of ['mixed-zip.pth', 'mixed-legacy.pth', 'mixed-zip-deflated.pth']) {
  const stateDict = readTorchStateDict(await fetchBytes(`/torch/valid/${name}`));
  files[name] = {};
  for (const [key, tensor] of stateDict)
    files[name][key] = { dtype: tensor.dtype, shape: [...tensor.shape], values: Array.from(tensor.toFloat32()) };
}
let refusal = 'none';
try {
  readTorchStateDict(await fetchBytes('/torch/refused/os-system-zip.pth'));
} catch (e) {
  refusal = e instanceof WeightsFileError ? `${e.reason}: ${e.found}` : String(e);
}
(window as unknown as { torchResult: unknown }).torchResult = { files, refusal };
document.body.dataset.state = 'done';
