// Child process of checkpoint-kill.test.ts: resumes from the newest checkpoint in a directory, then saves
// checkpoints in a loop until it is killed. It prints `ready <step>` once resumed and `saved <step>` after
// each save has returned, so the parent knows which checkpoints were complete before its SIGKILL.
// Parts are derived from the step with a seeded generator and their SHA-256 is kept in the metadata, so the
// parent can check every byte independently of the store's own CRC-32 verification.
import { createHash } from 'node:crypto';
import { createFileCheckpointStore } from '../../../src/node/files/checkpoint-files.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  describeCheckpointPart,
  type CheckpointRecord,
} from '../../../src/train/checkpoint/checkpoint-format.js';
import { createRandom } from '../../../src/random.js';

/** Deterministic content of part `index` at `step`; sizes vary from 16 KiB to about 400 KiB. */
export function partBytes(step: number, index: number): Uint8Array {
  const rng = createRandom(step * 7919 + index);
  const words = new Uint32Array(4096 + rng.int(96 * 1024));
  for (let i = 0; i < words.length; i++) words[i] = rng.int(0x100000000);
  return new Uint8Array(words.buffer);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function recordFor(step: number): CheckpointRecord {
  const parts: { [key: string]: Uint8Array } = {
    'model-generator': partBytes(step, 0),
    'model-critic': partBytes(step, 1),
    'optimizer-generator': partBytes(step, 2),
  };
  const digests: { [key: string]: string } = {};
  const entries: CheckpointRecord['manifest']['parts'] = {};
  for (const [key, bytes] of Object.entries(parts)) {
    digests[key] = sha256(bytes);
    entries[key] = describeCheckpointPart(bytes);
  }
  return {
    manifest: {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      createdAt: new Date().toISOString(),
      epoch: Math.floor(step / 10),
      step,
      models: {},
      optimizers: {},
      schedules: { lr: { kind: 'step-decay', initialRate: 0.001, factor: 0.5, stepSize: 5, milestones: null } },
      random: { shuffle: step },
      metric: { name: 'loss', value: 1 / step, mode: 'min' },
      metadata: { sha256: digests },
      parts: entries,
    },
    parts,
  };
}

const isMain =
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() as string);
if (isMain) {
  const directory = process.argv[2];
  const store = createFileCheckpointStore({ directory, keepLast: 2 });
  const latest = await store.loadLatest();
  let step = latest?.manifest.step ?? 0;
  process.stdout.write(`ready ${step}\n`);
  for (;;) {
    step += 1;
    await store.save(recordFor(step));
    process.stdout.write(`saved ${step}\n`);
  }
}
