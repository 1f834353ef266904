// The quick start of docs/browser.md, verbatim: a gray photo on the page → a colorized canvas, on a GPU backend.
import '@tensorflow/tfjs-backend-webgl';
import { createColorizer, useBackend } from 'tfjs-colorization';

await useBackend('webgl');
const colorizer = await createColorizer({
  // Where you serve a model folder: here the package's bundled model, node_modules/tfjs-colorization/models/default/.
  model: new URLSearchParams(location.search).get('model') ?? './default/model.json',
  onProgress: ({ stage, fraction }) => console.log(stage, Math.round(fraction * 100) + '%'),
});

const photo = document.getElementById('photo') as HTMLImageElement;
await photo.decode();
const canvas = document.getElementById('result') as HTMLCanvasElement;
canvas.width = photo.naturalWidth;
canvas.height = photo.naturalHeight;
const context = canvas.getContext('2d')!;
context.drawImage(photo, 0, 0);

// Any size: the model runs at its own size, the result comes back at the photo's full resolution.
const { rgb } = await colorizer.colorize(context.getImageData(0, 0, canvas.width, canvas.height), { channels: 4 });
context.putImageData(new ImageData(rgb.data, rgb.width, rgb.height), 0, 0);
colorizer.dispose();
document.body.dataset.state = 'done';
