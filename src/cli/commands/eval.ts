import { join } from 'node:path';
import type { Command } from 'commander';
import type { ResolveModel } from '../../compose/resolve-model.js';
import { formatProblem } from '../../datasets/dataset-problem.js';
import { ImageLibrary } from '../../datasets/images/image-library.js';
import { imageMediaType } from '../../datasets/images/image-media-type.js';
import { loadDataset } from '../../datasets/index.js';
import { ConfigError, InputError } from '../../errors.js';
import { type EvaluationMode, type EvaluationResult, evaluate } from '../../eval/evaluate.js';
import type { ContinuationStyle } from '../../eval/score/loglik.js';
import type { LanguageModel } from '../../models/language-model.js';
import {
  baselinesFromSummary,
  itemRecordsFromItems,
  strategyFromEvaluation,
} from '../../report/build-run-report.js';
import { formatInterval, formatPercent } from '../../report/format.js';
import { writeRunReport } from '../../report/read-run-report.js';
import { renderHtmlReport } from '../../report/render-html-report.js';
import { renderMarkdownReport } from '../../report/render-markdown-report.js';
import type { RunReport } from '../../report/run-report.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import { choiceFlag, integerFlag } from '../options.js';
import { printError, printJson, printLine } from '../output.js';
import { allowEndpointFlag, commandGuard, localOnlyFlag } from '../privacy-flags.js';
import { ProgressLine } from '../progress.js';

const modes = ['loglik', 'cot', 'judge'] as const;
const continuationStyles = ['letter', 'letter-and-text', 'text'] as const;

interface EvalFlags {
  model: string;
  data: string;
  mode: EvaluationMode;
  judge?: string;
  limit?: number;
  concurrency: number;
  out?: string;
  json?: boolean;
  name?: string;
  continuation: ContinuationStyle;
  maxTokens?: number;
  ignoreImages?: boolean;
  localOnly?: boolean;
  allowEndpoint?: string[];
}

async function writeOutputs(directory: string, result: EvaluationResult, report: RunReport): Promise<void> {
  await writeFileAtomically(
    join(directory, 'predictions.jsonl'),
    result.predictions.map((prediction) => `${JSON.stringify(prediction)}\n`).join(''),
  );
  await writeFileAtomically(
    join(directory, 'summary.json'),
    `${JSON.stringify({ model: result.modelId, mode: result.mode, ...result.summary }, null, 2)}\n`,
  );
  await writeRunReport(join(directory, 'results.json'), report);
  await writeFileAtomically(join(directory, 'report.html'), await renderHtmlReport(report));
  await writeFileAtomically(join(directory, 'report.md'), renderMarkdownReport(report));
}

/**
 * `medistill eval`: score a model on a dataset (log-likelihood, chain-of-thought or judged) and
 * print accuracy with its 95% interval; with --out, write predictions, summary, results.json
 * (a RunReport) and the HTML and Markdown reports. Models come from `resolveModel`, injected so
 * this command does not decide which adapters exist.
 */
export function registerEvalCommand(program: Command, resolveModel: ResolveModel): void {
  program
    .command('eval')
    .description('evaluate a model on a dataset: accuracy with a 95% interval, baselines, calibration')
    .requiredOption('--model <spec>', 'the model to evaluate')
    .requiredOption('--data <path>', 'the dataset file (any format medistill reads)')
    .option('--mode <mode>', `scoring: ${modes.join(', ')}`, choiceFlag('--mode', modes), 'loglik')
    .option('--judge <spec>', 'judge model (required for --mode judge)')
    .option('--limit <n>', 'evaluate only the first n items', integerFlag('--limit', { min: 1 }))
    .option('--concurrency <n>', 'model calls in flight', integerFlag('--concurrency', { min: 1 }), 1)
    .option('--out <dir>', 'write predictions.jsonl, summary.json, results.json, report.html, report.md here')
    .option('--name <name>', 'strategy name in the report (default: the model spec)')
    .option(
      '--continuation <style>',
      `loglik continuation: ${continuationStyles.join(', ')}`,
      choiceFlag('--continuation', continuationStyles),
      'letter-and-text',
    )
    .option(
      '--max-tokens <n>',
      'reply token limit in generation modes (default 512)',
      integerFlag('--max-tokens', { min: 1 }),
    )
    .option('--ignore-images', 'evaluate image items from their text alone')
    .option('--json', 'print the summary as JSON')
    .option(...localOnlyFlag)
    .option(...allowEndpointFlag)
    .action(async (flags: EvalFlags) => {
      // Refuse before loading anything: a GGUF model can take a while to load.
      if (flags.mode === 'judge' && flags.judge === undefined)
        throw new ConfigError('--mode judge needs --judge <spec>');
      const guard = commandGuard(flags);
      await guard?.check(flags.model, '--model');
      if (flags.judge !== undefined) await guard?.check(flags.judge, '--judge');
      const resolveOptions = guard ? { guard } : {};
      const loaded = await loadDataset(flags.data);
      if (loaded.problems.length > 0) {
        printError(
          `${loaded.problems.length} record(s) skipped in ${flags.data}; first: ${formatProblem(loaded.problems[0]!)}`,
        );
      }
      const items = flags.limit !== undefined ? loaded.items.slice(0, flags.limit) : loaded.items;
      if (items.length === 0) throw new InputError('no usable items in the dataset', { file: flags.data });

      const controller = new AbortController();
      const onInterrupt = (): void => controller.abort();
      process.once('SIGINT', onInterrupt);
      const images = new ImageLibrary();
      const models: LanguageModel[] = [];
      const progress = new ProgressLine();
      try {
        const model = await resolveModel(flags.model, resolveOptions);
        models.push(model);
        const judge = flags.judge !== undefined ? await resolveModel(flags.judge, resolveOptions) : undefined;
        if (judge) models.push(judge);
        const result = await evaluate({
          model,
          items,
          mode: flags.mode,
          ...(judge ? { judge } : {}),
          concurrency: flags.concurrency,
          signal: controller.signal,
          continuationStyle: flags.continuation,
          ...(flags.maxTokens !== undefined ? { maxTokens: flags.maxTokens } : {}),
          ...(flags.ignoreImages ? { ignoreImages: true } : {}),
          imageLoader: async (image) => ({
            mediaType: imageMediaType(image),
            data: await images.read(image),
          }),
          onProgress: ({ done, total, correct, failed }) =>
            progress.update(
              `eval ${done}/${total}  accuracy so far ${formatPercent(correct / done)}  failed ${failed}`,
              done === total,
            ),
        });
        progress.done();
        const report: RunReport = {
          schemaVersion: 1,
          title: `${flags.name ?? flags.model} on ${flags.data}`,
          createdAt: new Date().toISOString(),
          dataset: { name: flags.data, path: flags.data, itemCount: items.length },
          strategies: [strategyFromEvaluation(flags.name ?? flags.model, result)],
          comparisons: [],
          baselines: baselinesFromSummary(result.summary),
          trainingHistories: [],
          items: itemRecordsFromItems(items),
        };
        if (flags.out) await writeOutputs(flags.out, result, report);
        const { summary } = result;
        if (flags.json) {
          printJson({
            model: result.modelId,
            mode: result.mode,
            ...summary,
            ...(flags.out ? { out: flags.out } : {}),
          });
          return;
        }
        printLine(`${result.modelId} (${result.mode}) on ${items.length} items`);
        printLine(
          `accuracy ${formatPercent(summary.accuracy)} ${formatInterval(summary.ci95)} (${summary.correct}/${summary.n}; failed ${summary.failed}, unanswered ${summary.unanswered})`,
        );
        if (summary.accNorm)
          printLine(
            `acc_norm ${formatPercent(summary.accNorm.accuracy)} ${formatInterval(summary.accNorm.ci95)}`,
          );
        if (summary.ece !== undefined) printLine(`expected calibration error ${formatPercent(summary.ece)}`);
        for (const baseline of report.baselines)
          printLine(`baseline ${baseline.name}: ${formatPercent(baseline.accuracy)}`);
        if (summary.judgeAgreement) {
          const { rawAgreement, kappa, n } = summary.judgeAgreement;
          printLine(
            `judge vs exact match on ${n} items: agreement ${formatPercent(rawAgreement)}, kappa ${kappa === null ? 'undefined' : kappa.toFixed(3)}`,
          );
        }
        if (flags.out)
          printLine(`wrote ${flags.out}/results.json, report.html, report.md, predictions.jsonl`);
      } finally {
        progress.done();
        process.removeListener('SIGINT', onInterrupt);
        await images.close();
        for (const model of models) await model.close?.();
      }
    });
}
