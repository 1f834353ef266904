/**
 * Training in the browser: a tiny Zhang et al. (2016) network learns the colours of synthetic pictures on
 * the wasm backend (made trainable by `registerKernels`), saving checkpoints to IndexedDB. Opening the
 * page again resumes from the newest checkpoint: same next batch, same optimizer state, same next loss.
 *
 * URL parameters: `run` (checkpoint store name, default `browser-demo`), `epochs` (train until this
 * epoch), `autostart` (train at once).
 */
import '@tensorflow/tfjs-backend-cpu';
import './wasm-backend.js';
import * as tf from '@tensorflow/tfjs-core';
import {
  buildZhangModel,
  createArraySource,
  createBatchPipeline,
  createBinsObjective,
  createIndexedDbCheckpointStore,
  createRandom,
  createSupervisedTrainer,
  registerKernels,
  useBackend,
  type ImageLike,
} from 'tfjs-colorization';

const INPUT_SIZE = 16;
const PICTURES = 8;
const BATCH_SIZE = 2;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const epochsInput = $<HTMLInputElement>('epochs');
const trainButton = $<HTMLButtonElement>('train');
const clearButton = $<HTMLButtonElement>('clear');
const statusLine = $<HTMLDivElement>('status');
const errorBox = $<HTMLDivElement>('error');
const lossRows = $<HTMLTableElement>('losses').tBodies[0];

const params = new URLSearchParams(location.search);
const runName = params.get('run') ?? 'browser-demo';
if (params.has('epochs')) epochsInput.value = params.get('epochs')!;

/** Losses of the steps trained since the page opened, for the table and for tests. */
const trainedSteps: { step: number; loss: number }[] = [];
(window as unknown as { trainedSteps: typeof trainedSteps }).trainedSteps = trainedSteps;

function setState(state: string, message: string): void {
  document.body.dataset.state = state;
  statusLine.textContent = message;
}

/** Two-colour gradients with seeded colours: colourful enough to learn from, no files needed. */
function syntheticPictures(count: number, size: number, seed: number): ImageLike[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => {
    const from = [random.int(256), random.int(256), random.int(256)];
    const to = [random.int(256), random.int(256), random.int(256)];
    const data = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const t = (x + y) / (2 * size - 2);
        for (let c = 0; c < 3; c++) data[(y * size + x) * 3 + c] = Math.round(from[c] + t * (to[c] - from[c]));
      }
    }
    return { data, width: size, height: size, channels: 3 };
  });
}

async function start(): Promise<void> {
  await useBackend('wasm');
  registerKernels();
  const model = buildZhangModel({ inputSize: INPUT_SIZE, widthMultiplier: 1 / 16, seed: 1 });
  const source = createBatchPipeline(createArraySource(syntheticPictures(PICTURES, INPUT_SIZE, 7)), {
    batchSize: BATCH_SIZE,
    inputSize: INPUT_SIZE,
    targets: ['bins'],
    targetSize: INPUT_SIZE / 4,
    skipGray: false,
    seed: 3,
  });
  const store = createIndexedDbCheckpointStore({ name: runName, keepLast: 2 });
  const trainer = createSupervisedTrainer({
    model,
    objective: createBinsObjective(),
    optimizer: { kind: 'adam', learningRate: 1e-3 },
    checkpoints: { store },
    callbacks: [
      {
        onBatchEnd: ({ step, losses }) => {
          trainedSteps.push({ step, loss: losses.loss });
          const row = lossRows.insertRow();
          row.insertCell().textContent = String(step);
          row.insertCell().textContent = losses.loss.toFixed(6);
        },
      },
    ],
  });
  const resumed = await trainer.resume(store);
  document.body.dataset.resumedStep = String(resumed?.step ?? 0);
  setState(
    'ready',
    resumed === undefined
      ? `New run “${runName}”.`
      : `Resumed run “${runName}” at step ${resumed.step} (epoch ${resumed.epoch}).`,
  );
  trainButton.disabled = false;
  clearButton.disabled = false;

  const train = async () => {
    trainButton.disabled = true;
    setState('training', 'Training…');
    const result = await trainer.fit({ source, epochs: Number(epochsInput.value) });
    setState(
      'done',
      `Trained to step ${result.step} (epoch ${result.epoch}); checkpoint saved in IndexedDB “${runName}”.`,
    );
    trainButton.disabled = false;
  };
  trainButton.addEventListener('click', () => void train().catch(showError));
  clearButton.addEventListener(
    'click',
    () =>
      void (async () => {
        // Models live under tfjs's indexeddb:// handler, the rest in the store's own database.
        for (const url of Object.keys(await tf.io.listModels()))
          if (url.startsWith(`indexeddb://${runName}/`)) await tf.io.removeModel(url);
        // Deleted once this page (which holds the database open) unloads.
        indexedDB.deleteDatabase(runName);
        location.reload();
      })().catch(showError),
  );
  if (params.has('autostart')) await train();
}

function showError(error: unknown): void {
  errorBox.hidden = false;
  errorBox.textContent = error instanceof Error ? error.message : String(error);
  setState('error', 'Training failed; see the message below.');
}

start().catch(showError);
