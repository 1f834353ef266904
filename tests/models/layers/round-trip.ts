// Test helper: save a LayersModel to memory and load it back, as a user would with any IOHandler.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Save `model` to memory (topology JSON + weights) and load a new model from those artifacts. */
export async function roundTripThroughMemory(model: tfl.LayersModel): Promise<{ loaded: tfl.LayersModel; artifacts: tf.io.ModelArtifacts }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // A JSON round trip of the topology proves the config is plain data, as on disk.
  const artifacts = { ...saved!, modelTopology: JSON.parse(JSON.stringify(saved!.modelTopology)) };
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  return { loaded, artifacts };
}
