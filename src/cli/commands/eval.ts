import type { Command } from 'commander';
import type { ResolveModel } from '../../compose/resolve-model.js';
import { formatProblem } from '../../datasets/dataset-problem.js';
import type { EvaluationMode } from '../../eval/evaluate.js';
import type { ContinuationStyle } from '../../eval/score/loglik.js';
import { evaluateDataset } from '../../report/evaluate-dataset.js';
import { formatInterval, formatPercent } from '../../report/format.js';
import { definedOnly } from '../../util/defined-only.js';
import { withInterrupt } from '../interrupt.js';
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

/**
 * `medistill eval`: score a model on a dataset (log-likelihood, chain-of-thought or judged) and
 * print accuracy with its 95% interval; with --out, write predictions, summary, results.json
 * (a RunReport) and the HTML and Markdown reports. The work is `evaluateDataset`; this file holds
 * the flags and the printing.
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
      // The policy is checked before the dataset is read.
      const guard = commandGuard(flags);
      await guard?.check(flags.model, '--model');
      if (flags.judge !== undefined) await guard?.check(flags.judge, '--judge');
      const progress = new ProgressLine();
      try {
        const { items, problems, result, report } = await withInterrupt((signal) =>
          evaluateDataset({
            modelSpec: flags.model,
            dataPath: flags.data,
            mode: flags.mode,
            resolveModel: (spec) => resolveModel(spec, guard ? { guard } : {}),
            ...definedOnly({ judgeSpec: flags.judge, limit: flags.limit, out: flags.out, name: flags.name }),
            ...definedOnly({ maxTokens: flags.maxTokens }),
            concurrency: flags.concurrency,
            continuationStyle: flags.continuation,
            ...(flags.ignoreImages ? { ignoreImages: true } : {}),
            signal,
            onProgress: ({ done, total, correct, failed }) =>
              progress.update(
                `eval ${done}/${total}  accuracy so far ${formatPercent(correct / done)}  failed ${failed}`,
                done === total,
              ),
          }),
        );
        progress.done();
        if (problems.length > 0)
          printError(
            `${problems.length} record(s) skipped in ${flags.data}; first: ${formatProblem(problems[0]!)}`,
          );
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
      }
    });
}
