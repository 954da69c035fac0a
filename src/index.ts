/** medistill's public API, listed by name. Internals stay internal. */
export * from './errors.js';
export type * from './models/language-model.js';
export type * from './training/training-engine.js';
export { defaultHyperparameters } from './training/training-engine.js';
