// Evaluation metrics: re-exports only.
export * from './metric-input.js';
export * from './ab-auc.js';
export * from './psnr.js';
export * from './ssim.js';
export * from './colorfulness.js';
export * from './pixel-accuracy.js';
