/**
 * Damaged files end in a state dict or a WeightsFileError, never in another exception or a hang:
 * seeded byte flips, overwritten runs and truncations of every valid fixture.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WeightsFileError, readTorchStateDict } from '../../../src/index.js';

const valid = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/torch_state_dicts/valid');
const MUTATIONS_PER_FILE = 300;

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const out = bytes.slice();
  const kind = random();
  if (kind < 0.2) return out.subarray(0, Math.floor(random() * out.length)); // truncation
  const flips = 1 + Math.floor(random() * 8);
  for (let i = 0; i < flips; i++) {
    const at = Math.floor(random() * out.length);
    if (kind < 0.6)
      out[at] ^= 1 << Math.floor(random() * 8); // one bit
    else out.fill(Math.floor(random() * 256), at, Math.min(out.length, at + 1 + Math.floor(random() * 16))); // a run
  }
  return out;
}

describe('readTorchStateDict on damaged files', () => {
  for (const [index, file] of readdirSync(valid).sort().entries()) {
    it(`${file}: ${MUTATIONS_PER_FILE} seeded mutations each read or refuse with a WeightsFileError`, () => {
      const bytes = new Uint8Array(readFileSync(path.join(valid, file)));
      const random = generator(1000 + index);
      const outcomes = { read: 0, refused: 0 };
      for (let m = 0; m < MUTATIONS_PER_FILE; m++) {
        const damaged = mutate(bytes, random);
        try {
          const stateDict = readTorchStateDict(damaged);
          for (const tensor of stateDict.values()) tensor.toFloat32();
          outcomes.read++;
        } catch (error) {
          if (!(error instanceof WeightsFileError)) {
            throw new Error(`mutation ${m} of ${file} threw ${(error as Error)?.name}: ${(error as Error)?.message}`);
          }
          outcomes.refused++;
        }
      }
      expect(outcomes.read + outcomes.refused).toBe(MUTATIONS_PER_FILE);
      expect(outcomes.refused).toBeGreaterThan(0);
    });
  }
});
