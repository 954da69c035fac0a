/** One attempt at a model call, as the accounting middleware records it. Never holds a secret. */
export interface CallRecord {
  requestHash: string;
  modelId: string;
  stage?: string;
  itemId?: string;
  attempt: number;
  /** The request as hashed: images replaced by their digest, no API key. */
  requestJson: string;
  /** Present only when the call succeeded; its presence makes the row a cache entry. */
  responseJson?: string;
  promptTokens: number;
  completionTokens: number;
  /** Undefined when the price table has no entry for the model. */
  cost?: number;
  latencyMs: number;
  httpStatus?: number;
  errorName?: string;
  errorMessage?: string;
  startedAt: Date;
  finishedAt: Date;
}
