/**
 * The training recipe of a hint-capable network (Zhang et al. 2017, "Real-Time User-Guided Image Colorization
 * with Learned Deep Priors", §3): each batch's lightness goes in with points simulated from its own ground
 * truth (`simulateHints`, §3.2), and the predicted ab is regressed onto the truth with the smooth-L1 (Huber)
 * loss, δ = 1 Lab unit (§3.3; the authors' code uses `HuberLoss(delta=1/110)` on ab ÷ 110).
 */
import * as tf from '@tensorflow/tfjs-core';
import { AB_SCALE } from '../color/lab/constants.js';
import { ConfigError, describeValue } from '../errors.js';
import { createRandom } from '../random.js';
import { deriveSeed } from '../train/data/derive-seed.js';
import {
  createRegressionObjective,
  fitTargetSize,
  requireAbTarget,
  type RegressionLoss,
} from '../train/objectives-regression.js';
import type { TrainingObjective } from '../train/objectives.js';
import { checkConfigRange } from '../validate.js';
import { simulateHints, type SimulatedHintsOptions } from './simulate-hints.js';

/** The paper's smooth-L1 knee, 1 Lab unit, in the ab ÷ 110 units a model predicts. @example createHintObjective({ huberDelta: HINT_HUBER_DELTA }); */
export const HINT_HUBER_DELTA = 1 / AB_SCALE;

/**
 * Settings of {@link createHintObjective}.
 * @example
 * const config: HintObjectiveConfig = { seed: 7, hints: { noHintsShare: 0.1 } };
 */
export interface HintObjectiveConfig {
  /**
   * How points are simulated (see `SimulatedHintsOptions`; its `random` and `seed` are replaced by this
   * objective's own per-batch generator). Default: the paper's (geometric p = 1/8, patches 1 … 9, Gaussian).
   */
  hints?: Omit<SimulatedHintsOptions, 'random' | 'seed'>;
  /**
   * Seed of the simulated points. The points of a batch depend only on this seed and the batch's epoch and
   * index, so a resumed run draws exactly the points an uninterrupted run drew. Default 0.
   */
  seed?: number;
  /** The regression penalty: `'huber'` (the paper, default), `'l1'` or `'mse'`. */
  loss?: RegressionLoss;
  /** Knee of the Huber loss in ab ÷ 110 units, > 0. Default {@link HINT_HUBER_DELTA} (1 Lab unit). */
  huberDelta?: number;
}

/**
 * The training objective of a hint-capable model (inputs `[lightness, hint_ab, hint_mask]`): for each batch,
 * points are simulated from the batch's ab target at the input size (`simulateHints`), the model sees
 * `[batch.input, hintAb, hintMask]`, and its ab output is regressed onto the truth with the paper's
 * smooth-L1 loss. Validation passes through the same path, with the same points for the same batch.
 *
 * @param config  `hints` (simulation options), `seed`, `loss` (default `'huber'`), `huberDelta` (default 1/110).
 * @returns an objective for `createSupervisedTrainer`, named `'hints-huber'` (or `-l1`, `-mse`); parts
 *   `{ regression }`.
 * @throws ConfigError for a bad seed, loss, delta or simulation option (checked on the first batch).
 * @example
 * const trainer = createSupervisedTrainer({ model: hintModel, objective: createHintObjective({ seed: 1 }), optimizer: { kind: 'adam', learningRate: 1e-3 } });
 * await trainer.fit({ source: pipeline, epochs: 10 });
 */
export function createHintObjective(config: HintObjectiveConfig = {}): TrainingObjective {
  if (typeof config !== 'object' || config === null)
    throw new ConfigError('config', 'an options object', describeValue(config));
  const seed = config.seed ?? 0;
  checkConfigRange('seed', seed, -(2 ** 31), 2 ** 32, { integer: true });
  const hintOptions = config.hints ?? {};
  if (typeof hintOptions !== 'object' || hintOptions === null)
    throw new ConfigError('hints', 'simulation options', describeValue(hintOptions));
  const regression = createRegressionObjective({
    loss: config.loss ?? 'huber',
    huberDelta: config.huberDelta ?? HINT_HUBER_DELTA,
  });
  return {
    name: regression.name.replace('regression', 'hints'),
    targets: ['ab'],
    modelInputs(batch) {
      const [, height, width] = batch.input.shape;
      return tf.tidy(() => {
        const truth = fitTargetSize(requireAbTarget(batch.targets), [height, width]);
        const random = createRandom(deriveSeed(seed, batch.epoch, batch.index));
        const { hintAb, hintMask } = simulateHints(truth, { ...hintOptions, random });
        return [batch.input, hintAb, hintMask];
      });
    },
    computeLoss: (outputs, targets) => regression.computeLoss(outputs, targets),
    predictAb: (outputs, size) => regression.predictAb!(outputs, size),
  };
}
