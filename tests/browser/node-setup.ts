// The Node side of the browser tests: silence tfjs's Node banner, as the main suite's setup does.
import * as tf from '@tensorflow/tfjs-core';

tf.env().set('IS_TEST', true);
