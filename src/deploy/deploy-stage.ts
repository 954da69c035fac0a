import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { mergeLoraAdapter } from '../convert/merge-lora-adapter.js';
import type { DeployStageInput } from '../methods/run/run-from-config.js';
import type { DeployReportInput } from '../report/deploy-report.js';
import { definedOnly } from '../util/defined-only.js';
import { exportModel } from './export-model.js';
import { type FootprintRow, measureFootprint } from './footprint.js';

/** The run's inputs to the stage (see runFromConfig), and where to report progress. */
export interface DeployStageOptions extends DeployStageInput {
  onProgress?: (message: string) => void;
}

export const FOOTPRINT_METHOD =
  'Load time, peak RSS and tok/s: each model in a fresh Node process, llama.cpp on the CPU with one thread, a 128-token prompt and 64 greedy tokens, measured once on a machine shared with other work (expect run-to-run spread). Accuracy: the run\u2019s own prompt and answer reading; p: exact McNemar against the unquantized student on the same items.';

/**
 * The run's last stage (`deploy: { types: [...] }`): export the student to each type and measure
 * every variant beside the unquantized one, for the report's table and size-against-accuracy chart.
 */
export async function runDeployStage(options: DeployStageOptions): Promise<DeployReportInput> {
  const folder = join(options.directory, 'deploy');
  await mkdir(folder, { recursive: true });
  // A LoRA student is merged into its base once (F32, a quantized base dequantized), and the merged
  // model is both the reference the variants are measured against and what they are quantized from.
  let reference = options.model;
  if (options.adapter) {
    options.onProgress?.('deploy: merging the LoRA adapter into its base');
    reference = join(folder, 'student.merged.gguf');
    await mergeLoraAdapter(options.model, options.adapter, reference);
  }
  const fallbacks = new Map<string, string[]>();
  const exported: string[] = [];
  for (const type of options.types) {
    options.onProgress?.(`deploy: exporting ${type}`);
    const out = join(folder, `student.${type}.gguf`);
    const result = await exportModel({
      model: reference,
      type,
      out,
      ...definedOnly({ signal: options.signal }),
    });
    fallbacks.set(
      out,
      result.fallbacks.map((tensor) => `${tensor.name}: ${tensor.type}`),
    );
    exported.push(out);
  }
  const rows = await measureFootprint({
    models: [reference, ...exported],
    items: options.test,
    loadModel: options.loadModel,
    maxAnswerTokens: options.maxAnswerTokens,
    ...definedOnly({ signal: options.signal, onProgress: options.onProgress }),
  });
  return {
    reference: basename(reference),
    method: FOOTPRINT_METHOD,
    rows: rows.map((row) => deployRow(row, fallbacks)),
  };
}

function deployRow(row: FootprintRow, fallbacks: Map<string, string[]>): DeployReportInput['rows'][number] {
  const paired = row.accuracy?.paired;
  return {
    label: basename(row.model),
    path: row.model,
    weightType: row.weightType,
    fileBytes: row.fileBytes,
    loadMs: row.loadMs,
    peakRssBytes: row.peakRssBytes,
    promptTokensPerSecond: row.promptTokensPerSecond,
    generationTokensPerSecond: row.generationTokensPerSecond,
    fallbacks: fallbacks.get(row.model) ?? [],
    ...(row.accuracy ? { accuracy: row.accuracy.accuracy, ci95: row.accuracy.ci95, n: row.accuracy.n } : {}),
    ...(paired
      ? { difference: paired.difference, differenceCi95: paired.differenceCi95, pValue: paired.pValue }
      : {}),
  };
}
