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

interface LayerConfigEntry {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inboundNodes: unknown[];
}

/**
 * Copy the top of `backbone`: the layers computed from layer `from` alone, up to `outputs`, as a new,
 * independent model whose input is `from`'s output (any height and width). Fine-tuning a backbone's top
 * blocks on cached features of `from` (Larsson et al. 2016 fine-tune their VGG-16 under the hypercolumn
 * head) trains this copy; {@link copyLayerWeights} then writes the trained weights back into a backbone.
 *
 * @param backbone  a functional `tf.LayersModel` whose layers are each applied once.
 * @param from      a layer with a 4-D output `[N, H, W, C]`: the copy's input is `[N, any, any, C]`.
 * @param outputs   layers computed from `from` alone (any output rank, e.g. a pooled vector), at least one.
 * @returns a new `tf.LayersModel` with the backbone's layer names and a copy of their weights, outputs in the
 *   order given (one output: a single tensor); caller owns it. The backbone is not modified.
 * @throws ConfigError for an unknown layer, or an output that needs layers below `from` other than through it.
 * @example
 * const top = copyBackboneTop(mobileNetV2, 'expanded_conv_12_add', ['expanded_conv_16_project', 'global_pool']);
 * const [stride32, pooled] = top.predict(cachedStride16) as tf.Tensor[];
 */
export function copyBackboneTop(backbone: tfl.LayersModel, from: string, outputs: readonly string[]): tfl.LayersModel {
  const [fromShape] = checkFeatureLayers(backbone, [from], 'from');
  if (!Array.isArray(outputs) || outputs.length === 0) throw new ConfigError('outputs', 'at least one layer name', describeValue(outputs));
  const available = backbone.layers.map((layer) => layer.name);
  for (const name of outputs) if (!available.includes(name)) throw new ConfigError('outputs', available, describeValue(name));
  // The layers computed from `from` alone, in the backbone's (topological) order.
  const above = new Set([from]);
  for (const layer of backbone.layers.slice(available.indexOf(from) + 1)) {
    if (layer.inboundNodes.length !== 1) continue;
    const sources = layer.inboundNodes[0].inboundLayers.map((l) => l.name);
    if (sources.length > 0 && sources.every((s) => above.has(s))) above.add(layer.name);
  }
  for (const name of outputs) {
    if (name === from || !above.has(name)) throw new ConfigError('outputs', `layers computed from ${from} alone`, describeValue(name));
  }
  const view = tfl.model({ inputs: backbone.inputs, outputs: outputs.map((n) => backbone.getLayer(n).output as tfl.SymbolicTensor) });
  const config = view.getConfig() as unknown as { layers: LayerConfigEntry[]; inputLayers: unknown; name: string };
  const input: LayerConfigEntry = {
    name: from,
    className: 'InputLayer',
    config: { batchInputShape: [null, null, null, fromShape[3]], dtype: 'float32', sparse: false, name: from },
    inboundNodes: [],
  };
  config.layers = [input, ...config.layers.filter((l) => above.has(l.name) && l.name !== from)];
  config.inputLayers = [[from, 0, 0]];
  config.name = `${backbone.name}_top`;
  const copy = tfl.LayersModel.fromConfig(tfl.LayersModel, config as unknown as tf.serialization.ConfigDict, {}, true) as tfl.LayersModel;
  const values = new Map(view.weights.map((w) => [w.originalName, w.read()]));
  copy.setWeights(copy.weights.map((w) => values.get(w.originalName) as tf.Tensor));
  return copy;
}

/**
 * Write the weights of every layer of `source` into the layer of the same name in `target` (e.g. a backbone
 * top fine-tuned with {@link copyBackboneTop}, back into the whole backbone). Layers of `source` without
 * weights are skipped.
 *
 * @returns the names of the layers written.
 * @throws ConfigError when a layer with weights is missing from `target` or its weight shapes differ.
 * @example
 * copyLayerWeights(top, backbone); // ['expanded_conv_13_expand', …, 'Conv_1']
 */
export function copyLayerWeights(source: tfl.LayersModel, target: tfl.LayersModel): string[] {
  const written: string[] = [];
  const targets = new Map(target.layers.map((l) => [l.name, l]));
  const pairs = source.layers.flatMap((layer) => {
    const weights = layer.getWeights();
    if (weights.length === 0) return [];
    const into = targets.get(layer.name);
    const shapes = into?.getWeights().map((w) => w.shape.join('×'));
    if (into === undefined || shapes === undefined || shapes.join() !== weights.map((w) => w.shape.join('×')).join())
      throw new ConfigError('target', `a layer ${layer.name} with weights ${weights.map((w) => w.shape.join('×')).join(', ')}`, into === undefined ? 'no such layer' : `weights ${shapes?.join(', ')}`);
    return [{ into, weights, name: layer.name }];
  });
  for (const { into, weights, name } of pairs) {
    into.setWeights(weights);
    written.push(name);
  }
  return written;
}
