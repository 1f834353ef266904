/** PyTorch state-dict files: a reader that interprets only the data a state dict needs. */
export type { TorchDtype, TorchTensor, TorchStateDict } from './state-dict.js';
export { readTorchStateDict } from './state-dict.js';
