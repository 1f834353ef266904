import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { buildResNet18, resnet18StageOutput, type ResNet18Stem } from '../../src/models/resnet18.js';
import { maxAbsDiff } from '../backends.js';

interface Manifest {
  stem: ResNet18Stem;
  inputChannels: number;
  inputSize: number;
  widthMultiplier: number;
  classes: number;
  weights: { layer: string; weight: string; shape: number[]; offset: number }[];
  inputShape: [number, number, number, number];
  logitsShape: [number, number];
  stage2Shape: [number, number, number, number];
  totalWeights: number;
  logitsMaxAbs: number;
}

function load(name: string): { manifest: Manifest; read: (file: string) => Float32Array } {
  const dir = new URL(`../fixtures/resnet18/${name}/`, import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as Manifest;
  const read = (file: string) => {
    const bytes = readFileSync(new URL(file, dir));
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  };
  return { manifest, read };
}

// Made by tests/fixtures/make_resnet18_fixtures.py: ResNet-18 written in PyTorch as torchvision builds it.
describe('buildResNet18 against PyTorch (torchvision layout, 1/32 width, eval mode)', () => {
  for (const name of ['imagenet', 'small']) {
    it(`matches PyTorch's logits and stage-2 output with the ${name} stem once its weights are loaded by layer name`, () => {
      const { manifest, read } = load(name);
      const model = buildResNet18({
        stem: manifest.stem,
        inputChannels: manifest.inputChannels,
        inputSize: manifest.inputSize,
        widthMultiplier: manifest.widthMultiplier,
        classes: manifest.classes,
      });
      const weights = read('weights.bin');
      expect(weights.length).toBe(manifest.totalWeights);
      // Every weight of the model is in the fixture, once, with the shape PyTorch has after transposition.
      expect(manifest.weights.length).toBe(model.weights.length);
      const byLayer = new Map<string, Manifest['weights']>();
      for (const w of manifest.weights) byLayer.set(w.layer, [...(byLayer.get(w.layer) ?? []), w]);
      for (const [layerName, entries] of byLayer) {
        const layer = model.getLayer(layerName);
        const values = entries.map((e) => tf.tensor(weights.subarray(e.offset, e.offset + e.shape.reduce((a, b) => a * b, 1)), e.shape));
        layer.setWeights(values);
        tf.dispose(values);
      }
      const x = tf.tensor4d(read('input.bin'), manifest.inputShape);
      const probe = tfl.model({ inputs: model.inputs, outputs: [model.outputs[0], model.getLayer(resnet18StageOutput(2)).output as tfl.SymbolicTensor] });
      const [logits, stage2] = probe.predict(x) as tf.Tensor[];
      expect(logits.shape).toEqual(manifest.logitsShape);
      expect(stage2.shape).toEqual(manifest.stage2Shape);
      // float32 through 18 layers: agreement to ~1e-5 relative; a shifted padding changes logits by O(1).
      expect(maxAbsDiff(stage2.dataSync(), read('stage2.bin'))).toBeLessThan(1e-4);
      expect(maxAbsDiff(logits.dataSync(), read('logits.bin'))).toBeLessThan(1e-5 * manifest.logitsMaxAbs + 1e-5);
      tf.dispose([x, logits, stage2]);
      model.dispose();
    });
  }
});
