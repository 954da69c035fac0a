import type {
  TrainingEngine,
  TrainingJob,
  TrainingResult,
  TrainOptions,
} from '../../training/training-engine.js';
import { tokenizeTrainingData } from './training-data.js';
import type { EmbeddedTrainingSettings } from './training-job.js';
import { readProjectorConfig } from './vision/projector-file.js';
import { trainInWorker } from './worker-training.js';

export interface TfjsTrainingEngineOptions extends EmbeddedTrainingSettings {
  /**
   * Run each training in a worker thread (default true): the caller's thread stays free, and
   * several trainings use several cores. False runs on the calling thread (debugging, profiling).
   */
  useWorker?: boolean;
}

/**
 * The embedded trainer: TensorFlow.js on its wasm backend trains Llama-architecture GGUF
 * students (full fine-tuning or LoRA) on `messages` JSONL with answer-only loss, and writes a
 * GGUF model or a llama.cpp LoRA adapter that runs in llama.cpp with the same logits. With
 * `visionProjector` it trains a vision-language student: a LLaVA-style image encoder and
 * projector (frozen, projector only, full or LoRA) jointly with the text model, and writes the
 * trained mmproj beside the model.
 */
export class TfjsTrainingEngine implements TrainingEngine {
  readonly id = 'tfjs-wasm';
  private readonly options: TfjsTrainingEngineOptions;

  constructor(options: TfjsTrainingEngineOptions = {}) {
    this.options = options;
  }

  async train(job: TrainingJob, options: TrainOptions = {}): Promise<TrainingResult> {
    const { useWorker = true, ...settings } = this.options;
    // Tokenizing here, on the caller's thread, keeps llama.cpp's tokenizer out of the worker.
    const examples = await tokenizeTrainingData({
      baseModel: job.baseModel,
      dataPath: job.dataPath,
      maxLength: job.hyperparameters.maxLength,
      vision: job.visionProjector ? await readProjectorConfig(job.visionProjector) : undefined,
    });
    const request = { job, examples, settings, resume: options.resume ?? false };
    if (useWorker) {
      return trainInWorker(request, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onNotice ? { onNotice: options.onNotice } : {}),
      });
    }
    const { signal } = options;
    // TensorFlow.js loads only when a training runs on this thread (workers load their own).
    const { runTrainingJob } = await import('./training-job.js');
    return runTrainingJob(request, {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onNotice ? { onNotice: options.onNotice } : {}),
      ...(signal ? { shouldStop: () => signal.aborted } : {}),
    });
  }
}
