import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Item } from '../datasets/item.js';
import { loadDataset } from '../datasets/load-dataset.js';
import { ConfigError, InputError } from '../errors.js';
import type { Interval } from '../eval/statistics/interval.js';
import { comparePaired } from '../eval/statistics/paired-comparison.js';
import { wilsonInterval } from '../eval/statistics/wilson-interval.js';
import { ggmlTypeName } from '../gguf/gguf-types.js';
import { readGgufHeader } from '../gguf/read-gguf.js';
import type { LanguageModel } from '../models/language-model.js';
import { type MeasureRuntimeOptions, measureRuntime, type RuntimeMeasurement } from './measure-runtime.js';
import { matchableItems, studentOutcomes } from './student-accuracy.js';

export interface FootprintAccuracy {
  n: number;
  correct: number;
  accuracy: number;
  ci95: Interval;
  /** Against the reference model on the same items; absent on the reference's own row. */
  paired?: {
    reference: string;
    /** This model's accuracy minus the reference's. */
    difference: number;
    differenceCi95: Interval;
    /** Items only the reference got right, and only this model. */
    onlyReferenceCorrect: number;
    onlyThisCorrect: number;
    /** Two-sided exact McNemar p-value. */
    pValue: number;
  };
}

export interface FootprintRow extends RuntimeMeasurement {
  model: string;
  /** The ggml type most weight matrices are stored in (e.g. F32, Q8_0, Q5_0). */
  weightType: string;
  fileBytes: number;
  accuracy?: FootprintAccuracy;
}

export interface FootprintOptions {
  /** GGUF files; the first is the reference the others are compared with unless `reference` says otherwise. */
  models: string[];
  /** A test set (any format medistill reads); without it only size and speed are measured. */
  data?: string;
  /** Test items already loaded (a run's test split); used instead of `data`. */
  items?: readonly Item[];
  reference?: string;
  limit?: number;
  /** Reply token limit while answering test items (default 256, as a run's student). */
  maxAnswerTokens?: number;
  concurrency?: number;
  promptPrefix?: string;
  runtime?: MeasureRuntimeOptions;
  /** Loads a model for answering; injected so this code does not decide which runtimes exist. */
  loadModel: (path: string) => Promise<LanguageModel>;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** The ggml type holding most weight elements (2-D tensors), as llama.cpp's file type names it. */
async function dominantWeightType(path: string): Promise<string> {
  const header = await readGgufHeader(path);
  const elements = new Map<number, number>();
  for (const tensor of header.tensors) {
    if (tensor.shape.length < 2) continue;
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    elements.set(tensor.type, (elements.get(tensor.type) ?? 0) + count);
  }
  const [type] = [...elements].sort((a, b) => b[1] - a[1])[0] ?? [0];
  return ggmlTypeName(type);
}

/**
 * What each model costs to run and what quantization costs in accuracy: file size, load time,
 * peak RSS, prompt and generation speed (each measured in a fresh child process), and with a test
 * set, accuracy with a Wilson interval and a paired exact McNemar test against the reference
 * (the unquantized student).
 */
export async function measureFootprint(options: FootprintOptions): Promise<FootprintRow[]> {
  if (options.models.length === 0) throw new ConfigError('footprint needs at least one model');
  const reference = options.reference ?? options.models[0]!;
  const models = options.models.includes(reference) ? options.models : [reference, ...options.models];
  for (const model of models) await readGgufHeader(model);
  let items = matchableItems(options.items ?? (options.data ? (await loadDataset(options.data)).items : []));
  if (options.limit !== undefined) items = items.slice(0, options.limit);
  if (options.data && items.length === 0) {
    throw new InputError('no items an exact match can score (multiple choice or yes/no/maybe)', {
      file: options.data,
    });
  }
  const rows: FootprintRow[] = [];
  const correctness = new Map<string, boolean[]>();
  for (const model of models) {
    options.onProgress?.(`measuring ${basename(model)}: load, memory, speed`);
    const runtime = await measureRuntime(model, {
      ...options.runtime,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const row: FootprintRow = {
      model,
      weightType: await dominantWeightType(model),
      fileBytes: (await stat(model)).size,
      ...runtime,
    };
    if (items.length > 0) {
      options.onProgress?.(`measuring ${basename(model)}: accuracy on ${items.length} items`);
      const loaded = await options.loadModel(model);
      try {
        const outcomes = await studentOutcomes(loaded, items, {
          maxTokens: options.maxAnswerTokens ?? 256,
          concurrency: options.concurrency ?? 4,
          ...(options.promptPrefix ? { promptPrefix: options.promptPrefix } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const correct = outcomes.map((outcome) => outcome.correct);
        correctness.set(model, correct);
        const right = correct.filter(Boolean).length;
        const ci95 = wilsonInterval(right, correct.length);
        row.accuracy = { n: correct.length, correct: right, accuracy: right / correct.length, ci95 };
      } finally {
        await loaded.close?.();
      }
    }
    rows.push(row);
  }
  const referenceCorrect = correctness.get(reference);
  for (const row of rows) {
    const correct = correctness.get(row.model);
    if (!referenceCorrect || !correct || row.model === reference || !row.accuracy) continue;
    const paired = comparePaired(correct, referenceCorrect, { seed: 1 });
    row.accuracy.paired = {
      reference,
      difference: paired.difference,
      differenceCi95: paired.differenceCi95,
      onlyReferenceCorrect: paired.onlyBCorrect,
      onlyThisCorrect: paired.onlyACorrect,
      pValue: paired.pValue,
    };
  }
  return rows;
}
