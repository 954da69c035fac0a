/** The LLaMA-Factory training engine (GPU machines): settings, YAML, data staging, the engine. */

export { chatJsonlToSharegpt } from './chat-jsonl-to-sharegpt.js';
export { findAdapter, isAdapterFolder, latestCheckpoint } from './checkpoints.js';
export { LlamaFactoryEngine } from './llama-factory-engine.js';
export {
  type DistributedSettings,
  distributedEnvironment,
  distributedSettingsSchema,
  type LlamaFactorySettings,
  type LlamaFactorySettingsInput,
  llamaFactorySettingsSchema,
} from './llama-factory-settings.js';
export { templateForModel } from './model-template.js';
export { type StagedDataset, stageDataset } from './stage-dataset.js';
export { durationMs, progressFromLogLine, TrainerLogFollower } from './trainer-log.js';
export { type TrainingYamlInput, trainingArguments, trainingYaml } from './training-yaml.js';
