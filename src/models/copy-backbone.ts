/**
 * Cut a feature extractor out of a trained `tf.LayersModel`, as an independent copy.
 *
 * Colorization heads (the ResNet baseline, Larsson et al. 2016's hypercolumns) start from a network
 * trained for something else, typically a classifier. Copying rather than sharing its layers keeps the
 * original usable on its own: freezing, fine-tuning or disposing the colorization model leaves the
 * classifier untouched, and the classifier may be disposed once the copy exists.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { FreezableBatchNormalization } from './layers/freezable-batch-norm.js';

/**
 * Throw {@link ConfigError} unless every name is a layer of `backbone` with a single 4-D output.
 *
 * @param key  the config key the names came from, for the error (e.g. `'featureLayer'`, `'layerNames'`).
 * @returns the output shapes `[N, H, W, C]` (H, W may be null) in the order of `layerNames`.
 */
export function checkFeatureLayers(backbone: tfl.LayersModel, layerNames: readonly string[], key: string): (number | null)[][] {
  const available = backbone.layers.map((layer) => layer.name);
  return layerNames.map((name) => {
    if (!available.includes(name)) throw new ConfigError(key, available, describeValue(name));
    const layer = backbone.getLayer(name);
    if (layer.inboundNodes.length !== 1) {
      throw new ConfigError(key, 'a layer applied once in the backbone (shared layers have no single output)', `${name} applied ${layer.inboundNodes.length} times`);
    }
    const output = layer.output;
    const shape = Array.isArray(output) ? null : output.shape;
    if (shape === null || shape.length !== 4) {
      throw new ConfigError(key, 'layers with one 4-D output [N, H, W, C]', `${name} with output shape ${shape === null ? 'a list' : `[${shape.map(String).join(', ')}]`}`);
    }
    return shape;
  });
}

/**
 * Options of {@link copyBackboneFeatures}.
 * @example
 * const trunk = copyBackboneFeatures(classifier, ['stage1_block2_out', 'stage2_block2_out'], { key: 'featureLayers', freeze: true });
 */
export interface CopyBackboneOptions {
  /** Config key reported in errors. Default `'layerNames'`. */
  key?: string;
  /**
   * Make every copied layer non-trainable, and its BatchNormalization layers
   * {@link FreezableBatchNormalization}s, which use their moving statistics while frozen. Default false.
   */
  freeze?: boolean;
}

interface LayerEntry {
  className: string;
  config: { trainable?: boolean };
}

/**
 * Copy the part of `backbone` that computes the named layers into a new, independent model.
 *
 * The copy has the backbone's input(s), one output per name (in order), the same layer names and
 * configs, and a copy of the weights (including BatchNorm moving statistics). Layers after the named
 * ones are left out. The backbone is not modified and not disposed.
 *
 * @param backbone    any functional `tf.LayersModel` (built here or loaded).
 * @param layerNames  names of layers with 4-D outputs, at least one.
 * @param options     error key and freezing, see {@link CopyBackboneOptions}.
 * @returns a new `tf.LayersModel`; caller owns it (`dispose()`).
 * @throws ConfigError naming the available layers when a name is unknown, or the shape when an output is not 4-D.
 * @example
 * const trunk = copyBackboneFeatures(classifier, ['stage2_block2_out'], { freeze: true });
 */
export function copyBackboneFeatures(backbone: tfl.LayersModel, layerNames: readonly string[], options: CopyBackboneOptions = {}): tfl.LayersModel {
  const { key = 'layerNames', freeze = false } = options;
  if (layerNames.length === 0) throw new ConfigError(key, 'at least one layer name', 'an empty list');
  checkFeatureLayers(backbone, layerNames, key);
  const outputs = layerNames.map((name) => backbone.getLayer(name).output as tfl.SymbolicTensor);
  // Only a view on the backbone's graph: it owns no weights, so it must not be disposed.
  const view = tfl.model({ inputs: backbone.inputs, outputs, name: `${backbone.name}_features` });
  const config = view.getConfig();
  if (freeze) {
    for (const layer of config.layers as unknown as LayerEntry[]) {
      layer.config.trainable = false;
      if (layer.className === 'BatchNormalization') layer.className = FreezableBatchNormalization.className;
    }
  }
  // fastWeightInit: the weights are overwritten at once, so skip the random initializers.
  const copy = tfl.LayersModel.fromConfig(tfl.LayersModel, config, {}, true) as tfl.LayersModel;
  // By name, not position: freezing moves weights from the trainable to the non-trainable list.
  const values = new Map(view.weights.map((w) => [w.originalName, w.read()]));
  copy.setWeights(copy.weights.map((w) => values.get(w.originalName) as tf.Tensor));
  // The setter, not just the config: a layer built with trainable false still creates trainable
  // variables, which `optimizer.minimize` without a variable list would update.
  if (freeze) for (const layer of copy.layers) layer.trainable = false;
  return copy;
}
