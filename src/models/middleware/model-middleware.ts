import type { LanguageModel } from '../language-model.js';

/** A layer around a model: takes the inner model, returns one with the same interface. */
export type ModelMiddleware = (model: LanguageModel) => LanguageModel;

/**
 * Applies layers outermost first: `wrapModel(base, cache, retry)` gives cache(retry(base)).
 * Layers keep `scoreContinuations` and `close` of the inner model unless they replace them.
 */
export function wrapModel(model: LanguageModel, ...layers: ModelMiddleware[]): LanguageModel {
  return layers.reduceRight<LanguageModel>((inner, layer) => layer(inner), model);
}

/** Builds a layer from a replacement `generate`, passing the rest of the interface through. */
export function layerOver(inner: LanguageModel, generate: LanguageModel['generate']): LanguageModel {
  const layered: LanguageModel = { id: inner.id, generate };
  if (inner.scoreContinuations) layered.scoreContinuations = inner.scoreContinuations.bind(inner);
  if (inner.close) layered.close = inner.close.bind(inner);
  return layered;
}
