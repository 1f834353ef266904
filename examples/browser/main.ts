/**
 * The browser example: a photo in, its lightness, a colorization and three sampled alternatives out,
 * on the backend of your choice, with the time of every step on screen.
 *
 * URL parameters: `model` (a model.json URL; default the package's bundled model), `backend` (start on
 * this backend instead of the first available one).
 */
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import {
  createColorizer,
  currentBackend,
  hasBundledModel,
  imageToLab,
  registerBundledModel,
  toImageLike,
  useBackend,
  type Colorizer,
  type ColorizeStage,
} from 'tfjs-colorization';
import { detectBackends, type OfferedBackend } from './backends.js';
import { decodePhoto, fetchPhoto } from './decode-photo.js';
import { clearCanvas, drawImage, drawLightness } from './draw-image.js';
import { HintEditor } from './hint-editor.js';
import { showTimings, timeStep, type StepTimings } from './step-timer.js';

const SAMPLE_COUNT = 3;
const SAMPLE_SEED = 1;

const historicalPhotos = import.meta.glob<string>('../images/historical/*.{jpg,png}', {
  query: '?url',
  import: 'default',
  eager: true,
});

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const photoInput = $<HTMLInputElement>('photo-input');
const dropZone = $<HTMLLabelElement>('drop-zone');
const sampleSelect = $<HTMLSelectElement>('sample-select');
const backendSelect = $<HTMLSelectElement>('backend-select');
const temperatureInput = $<HTMLInputElement>('temperature');
const temperatureValue = $<HTMLOutputElement>('temperature-value');
const saturationInput = $<HTMLInputElement>('saturation');
const saturationValue = $<HTMLOutputElement>('saturation-value');
const hintsHelp = $<HTMLSpanElement>('hints-help');
const downloadButton = $<HTMLButtonElement>('download');
const modelName = $<HTMLElement>('model-name');
const loadProgress = $<HTMLProgressElement>('load-progress');
const statusLine = $<HTMLDivElement>('status');
const errorBox = $<HTMLDivElement>('error');
const timingsTable = $<HTMLTableElement>('timings');
const grayCanvas = $<HTMLCanvasElement>('gray');
const colorizedCanvas = $<HTMLCanvasElement>('colorized');
const sampleCanvases = Array.from({ length: SAMPLE_COUNT }, (_, i) => $<HTMLCanvasElement>(`sample-${i}`));

/**
 * Where this app serves the package's bundled model (`node_modules/tfjs-colorization/models/default/`; here
 * Vite's public folder). In Node the library finds it on disk; a web page must say where it put it.
 */
const BUNDLED_MODEL_URL = new URL('./default/model.json', location.href).href;
registerBundledModel((onProgress) => loadLayersModel(BUNDLED_MODEL_URL, { onProgress }));

const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? undefined;

let colorizer: Colorizer | undefined;
let photo: { image: ImageData; name: string } | undefined;
const timings: StepTimings = new Map();
const hintEditor = new HintEditor(
  {
    stage: $<HTMLDivElement>('hint-stage'),
    canvas: colorizedCanvas,
    colorInput: $<HTMLInputElement>('hint-color'),
    list: $<HTMLOListElement>('hint-list'),
    clearButton: $<HTMLButtonElement>('hints-clear'),
    saveButton: $<HTMLButtonElement>('hints-save'),
    loadInput: $<HTMLInputElement>('hints-load'),
  },
  () => void run(colorizeCurrent),
  (error) => showError(error),
);
/** Serializes the page's work: a new request waits for the one running. */
let queue: Promise<void> = Promise.resolve();

type PageState = 'starting' | 'loading-model' | 'ready' | 'working' | 'done' | 'error' | 'no-model';

function setState(state: PageState, message: string): void {
  document.body.dataset.state = state;
  statusLine.textContent = message;
}

function showError(error: unknown): void {
  errorBox.hidden = false;
  errorBox.textContent = error instanceof Error ? error.message : String(error);
  setState('error', 'Something went wrong; see the message below.');
}

function run(task: () => Promise<void>): Promise<void> {
  queue = queue.then(async () => {
    errorBox.hidden = true;
    errorBox.textContent = '';
    try {
      await task();
    } catch (e) {
      showError(e);
    }
  });
  return queue;
}

/** Select a backend and (re)load the model on it. */
async function startBackend(name: OfferedBackend): Promise<void> {
  colorizer?.dispose();
  colorizer = undefined;
  timings.clear();
  await timeStep(timings, `start backend ${name}`, () => useBackend(name));
  document.body.dataset.backend = currentBackend();
  if (modelUrl === undefined && !hasBundledModel()) {
    modelName.textContent = 'none';
    setState('no-model', 'This build has no bundled model yet: open the page with ?model=<URL of a model.json>.');
    return;
  }
  modelName.textContent = modelUrl ?? 'bundled default model';
  setState('loading-model', `Loading the model on ${name}…`);
  loadProgress.hidden = false;
  loadProgress.value = 0;
  colorizer = await timeStep(timings, 'load model', () =>
    createColorizer({
      model: modelUrl,
      onProgress: ({ stage, fraction }) => {
        if (stage === 'load') loadProgress.value = fraction;
      },
    }),
  ).finally(() => {
    loadProgress.hidden = true;
  });
  const acceptsHints = colorizer.layout.acceptsHints;
  hintEditor.setEnabled(acceptsHints);
  hintsHelp.textContent = acceptsHints
    ? 'Click the colorized photo to place a point, drag it to move it; the selected point takes the colour below.'
    : 'This model takes no colour points (a hint-capable model has the inputs lightness, hint_ab, hint_mask).';
  showTimings(timingsTable, timings);
  setState('ready', `Model ready on ${name}. Choose a photo.`);
}

/** Colorize the current photo and draw everything. */
async function colorizeCurrent(): Promise<void> {
  if (photo === undefined) return;
  const { image, name } = photo;
  for (const step of [...timings.keys()])
    if (!step.startsWith('start backend') && step !== 'load model' && step !== 'decode photo') timings.delete(step);
  await timeStep(timings, 'draw gray input', () => {
    const { lightness } = imageToLab(toImageLike(image));
    drawLightness(grayCanvas, lightness, image.width, image.height);
  });
  if (colorizer === undefined) {
    showTimings(timingsTable, timings);
    setState('no-model', 'No model loaded: open the page with ?model=<URL of a model.json>.');
    return;
  }
  const temperature = Number(temperatureInput.value);
  const samples = colorizer.layout.kind === 'bins' ? SAMPLE_COUNT : 0;
  setState('working', `Colorizing ${name} (${image.width} × ${image.height})…`);
  // Stage reports arrive at the start of each stage, so each stage lasts until the next report.
  let last: { stage: ColorizeStage; at: number } | undefined;
  const stageNames: Partial<Record<ColorizeStage, string>> = {
    prepare: 'lightness + fit',
    predict: 'model',
    decode: 'read back ab',
    recombine: 'upsample + Lab → RGB',
  };
  // The total goes in first so its row stands above the stages it sums.
  timings.set('colorize (total)', 0);
  const result = await timeStep(timings, 'colorize (total)', () =>
    colorizer!.colorize(image, {
      temperature,
      saturation: Number(saturationInput.value),
      hints: colorizer!.layout.acceptsHints ? hintEditor.hints() : undefined,
      samples,
      seed: SAMPLE_SEED,
      channels: 4,
      onProgress: ({ stage }) => {
        const now = performance.now();
        if (last !== undefined && stageNames[last.stage] !== undefined)
          timings.set(`  ${stageNames[last.stage]}`, now - last.at);
        last = { stage, at: now };
      },
    }),
  );
  await timeStep(timings, 'draw results', () => {
    drawImage(colorizedCanvas, result.rgb);
    sampleCanvases.forEach((canvas, i) =>
      result.samples?.[i] ? drawImage(canvas, result.samples[i]) : clearCanvas(canvas),
    );
  });
  showTimings(timingsTable, timings);
  // A count of finished colorizations, so a test (or a script) can wait for the next one.
  document.body.dataset.runs = String(Number(document.body.dataset.runs ?? '0') + 1);
  downloadButton.disabled = false;
  setState(
    'done',
    `Colorized ${name} (${image.width} × ${image.height}) on ${backendSelect.value} at T = ${temperature.toFixed(2)}.`,
  );
}

async function openPhoto(load: () => Promise<ImageData>, name: string): Promise<void> {
  downloadButton.disabled = true;
  for (const canvas of [grayCanvas, colorizedCanvas, ...sampleCanvases]) clearCanvas(canvas);
  photo = undefined;
  hintEditor.setPhoto(undefined);
  setState('working', `Reading ${name}…`);
  const image = await timeStep(timings, 'decode photo', load);
  photo = { image, name };
  hintEditor.setPhoto({ width: image.width, height: image.height, name });
  await colorizeCurrent();
}

function openFile(file: File): Promise<void> {
  sampleSelect.value = '';
  return run(() => openPhoto(() => decodePhoto(file, file.name), file.name));
}

photoInput.addEventListener('change', () => {
  const file = photoInput.files?.[0];
  if (file !== undefined) void openFile(file);
});
dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('over');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('over'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('over');
  const file = event.dataTransfer?.files[0];
  if (file !== undefined) void openFile(file);
});
sampleSelect.addEventListener('change', () => {
  const url = sampleSelect.value;
  if (url !== '') void run(() => openPhoto(() => fetchPhoto(url), sampleSelect.selectedOptions[0].text));
});
temperatureInput.addEventListener('input', () => (temperatureValue.value = Number(temperatureInput.value).toFixed(2)));
temperatureInput.addEventListener('change', () => void run(colorizeCurrent));
saturationInput.addEventListener('input', () => (saturationValue.value = Number(saturationInput.value).toFixed(2)));
saturationInput.addEventListener('change', () => void run(colorizeCurrent));
backendSelect.addEventListener(
  'change',
  () =>
    void run(async () => {
      await startBackend(backendSelect.value as OfferedBackend);
      await colorizeCurrent();
    }),
);
downloadButton.addEventListener('click', () => {
  if (photo === undefined) return;
  const stem = photo.name.replace(/\.[^.]+$/, '');
  colorizedCanvas.toBlob((blob) => {
    if (blob === null) return showError(new Error('The browser could not encode the result as PNG.'));
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${stem}-colorized.png`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }, 'image/png');
});

async function start(): Promise<void> {
  for (const [path, url] of Object.entries(historicalPhotos).sort()) {
    sampleSelect.add(new Option(path.split('/').pop()!, url));
  }
  const backends = await detectBackends();
  for (const name of backends) backendSelect.add(new Option(name, name));
  const wanted = params.get('backend');
  const first = backends.find((b) => b === wanted) ?? backends[0];
  backendSelect.value = first;
  await startBackend(first);
}

void run(start);
