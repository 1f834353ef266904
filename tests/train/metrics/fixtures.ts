// Reads tests/fixtures/metrics/ (made by tests/fixtures/make_metrics_fixtures.py with scikit-image and numpy).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'metrics');

interface Manifest {
  arrays: Record<string, { dtype: 'uint8' | 'float32'; shape: number[] }>;
  values: Record<string, number | number[]>;
}

export const manifest: Manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));

export function fixtureArray(name: string): { data: Uint8Array | Float32Array; shape: number[] } {
  const { dtype, shape } = manifest.arrays[name];
  const bytes = readFileSync(join(DIR, `${name}.bin`));
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return { data: dtype === 'uint8' ? copy : new Float32Array(copy.buffer), shape };
}

export function fixtureValue(name: string): number {
  return manifest.values[name] as number;
}

export function fixtureValues(name: string): number[] {
  return manifest.values[name] as number[];
}
