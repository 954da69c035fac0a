/** medistill/engines/tfjs: the embedded TensorFlow.js trainer (TensorFlow.js loads when training starts). */

export { TfjsTrainingEngine, type TfjsTrainingEngineOptions } from './tfjs-training-engine.js';
