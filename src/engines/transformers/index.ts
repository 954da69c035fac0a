/** The transformers + peft training engine (GPU machines, or CPU for tiny models): settings, worker protocol, engine. */

export { type LaunchCommand, launchCommand } from './launch-command.js';
export { checkPythonPackages, requiredModules } from './python-packages.js';
export { TransformersEngine } from './transformers-engine.js';
export {
  type TransformersSettings,
  type TransformersSettingsInput,
  transformersSettingsSchema,
} from './transformers-settings.js';
export { parseWorkerLine, progressFromEvent, type WorkerEvent, workerEventSchema } from './worker-events.js';
export { workerScriptPath } from './worker-script.js';
