// Evaluation metrics: re-exports only. Named lists where a file also exports internals (its tests import those from the file).
export { type MetricPixelData, type MetricImage, type MetricImageInput } from './metric-input.js';
export * from './ab-auc.js';
export * from './psnr.js';
export * from './ssim.js';
export * from './colorfulness.js';
export * from './pixel-accuracy.js';
