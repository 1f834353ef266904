/**
 * A training run's checkpoint as a whole colorizer: the head joined with the backbone, whose top blocks
 * are first set to the checkpoint's fine-tuned weights when the run trained them (`--system finetune`).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  buildHypercolumnColorizer,
  buildHypercolumnHead,
  copyLayerWeights,
  restoreCheckpoint,
  type CheckpointRecord,
} from 'tfjs-colorization';
import { GLOBAL_NAME, TAP_NAMES, buildTopBlocks, loadBackbone } from './mnv2.js';

/** What train-head.ts records in each checkpoint's metadata. */
export interface HeadRunMetadata {
  training: { head: { width: number; convs: number; outputStride: number; bins: number } };
  tapChannels: number[];
  globalChannels: number;
  /** True when the checkpoint holds the backbone's fine-tuned top (absent in runs before it existed). */
  top?: boolean;
}

/** Build the colorizer (lightness, hint_ab, hint_mask → logits) of a train-head.ts checkpoint. */
export async function colorizerFromCheckpoint(record: CheckpointRecord): Promise<tfl.LayersModel> {
  const metadata = record.manifest.metadata as unknown as HeadRunMetadata;
  const shape = metadata.training.head;
  const head = buildHypercolumnHead({
    ...shape,
    tapChannels: metadata.tapChannels,
    globalChannels: metadata.globalChannels,
  });
  const backbone = await loadBackbone();
  const top = metadata.top === true ? buildTopBlocks(backbone) : null;
  await restoreCheckpoint(record, { models: { head, ...(top !== null ? { top } : {}) } });
  if (top !== null) {
    copyLayerWeights(top, backbone);
    top.dispose();
  }
  const model = buildHypercolumnColorizer({ backbone, tapNames: TAP_NAMES, globalName: GLOBAL_NAME, head, ...shape });
  backbone.dispose();
  head.dispose();
  return model;
}
