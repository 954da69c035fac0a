/** Hosted fine-tuning engines (Together AI), contract-tested against a loopback server. */

export { type HostedModel, hostedModelSchema, readHostedModel, writeHostedModel } from './hosted-model.js';
export { type FineTune, type FineTuneEvent, isFinished } from './together-api.js';
export { TogetherEngine, type TogetherEngineOptions } from './together-engine.js';
export {
  type TogetherSettings,
  type TogetherSettingsInput,
  togetherSettingsSchema,
} from './together-settings.js';
