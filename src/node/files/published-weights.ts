/**
 * The published colorization weights that `tfjs-colorization get` fetches, with where they come from.
 * The file names end in the first hex digits of the file's SHA-256, as torch.hub names its files.
 */
import type { PublishedArchitecture } from '../../weights/published/published-architecture.js';

/**
 * One published weights file.
 * @example const { url, licence } = PUBLISHED_WEIGHTS.eccv16;
 */
export interface PublishedWeights {
  architecture: PublishedArchitecture;
  /** Where the authors publish it. */
  url: string;
  /** Approximate size in bytes, for messages (the server's Content-Length is what is checked). */
  approximateBytes: number;
  licence: string;
  paper: string;
}

/**
 * The authors' released colorizers (richzhang/colorization, BSD-2-Clause), by the name `get` takes.
 * @example Object.keys(PUBLISHED_WEIGHTS); // ['eccv16', 'siggraph17']
 */
export const PUBLISHED_WEIGHTS = {
  eccv16: {
    architecture: 'eccv16',
    url: 'https://colorizers.s3.us-east-2.amazonaws.com/colorization_release_v2-9b330a0b.pth',
    approximateBytes: 129e6,
    licence: 'BSD-2-Clause (richzhang/colorization)',
    paper: 'Zhang, Isola, Efros 2016, "Colorful Image Colorization", ECCV',
  },
  siggraph17: {
    architecture: 'siggraph17',
    url: 'https://colorizers.s3.us-east-2.amazonaws.com/siggraph17-df00044c.pth',
    approximateBytes: 137e6,
    licence: 'BSD-2-Clause (richzhang/colorization)',
    paper:
      'Zhang, Zhu, Isola, Geng, Lin, Yu, Efros 2017, "Real-Time User-Guided Image Colorization with Learned Deep Priors", SIGGRAPH',
  },
} as const satisfies Record<string, PublishedWeights>;

/** A name `get` accepts. @example const name: PublishedWeightsName = 'siggraph17'; */
export type PublishedWeightsName = keyof typeof PUBLISHED_WEIGHTS;
