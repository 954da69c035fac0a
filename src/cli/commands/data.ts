import type { Command } from 'commander';
import type { ColumnMapping, DatasetFormat } from '../../datasets/dataset-format.js';
import { columnMappingSchema, datasetFormatSchema } from '../../datasets/dataset-format.js';
import type { DatasetProblem } from '../../datasets/dataset-problem.js';
import { formatProblem } from '../../datasets/dataset-problem.js';
import { convertDataset } from '../../datasets/export/convert-dataset.js';
import { inspectDataset } from '../../datasets/inspect-dataset.js';
import type { LoadDatasetOptions } from '../../datasets/load-dataset.js';
import { loadDataset } from '../../datasets/load-dataset.js';
import type { StratifyBy } from '../../datasets/split-items.js';
import { writeSplits } from '../../datasets/write-splits.js';
import { ConfigError } from '../../errors.js';
import { definedOnly } from '../../util/defined-only.js';
import { choiceFlag, integerFlag, numberFlag } from '../options.js';
import { formatCount, printError, printJson, printLine } from '../output.js';

interface ReadFlags {
  format?: DatasetFormat;
  strict?: boolean;
  imageRoot?: string;
  map?: string[];
  copBase?: 0 | 1;
  json?: boolean;
}

const formats = datasetFormatSchema.options;

function addReadFlags(command: Command): Command {
  return command
    .option(
      '--format <format>',
      `the dataset's layout (default: detected): ${formats.join(', ')}`,
      choiceFlag('--format', formats),
    )
    .option('--strict', 'stop at the first problem instead of skipping the bad record')
    .option('--image-root <path>', 'folder or .zip that image paths are relative to')
    .option(
      '--map <column=name...>',
      'column mapping for --format generic: question=, answer=, optionColumns=A,B,C,D, options=, answerFormat=letter|index0|index1|text, id=, subject=, topic=, split=, explanation=, context=, image=',
    )
    .option(
      '--cop-base <n>',
      'MedMCQA: 1 if cop counts 1-4 (original release), 0 if 0-3 (Hugging Face dump)',
      (value: string) => {
        if (value !== '0' && value !== '1')
          throw new ConfigError(`--cop-base must be 0 or 1, got "${value}"`);
        return Number(value) as 0 | 1;
      },
    )
    .option('--json', 'print JSON');
}

function parseMapping(entries: string[]): ColumnMapping {
  const raw: Record<string, string | string[]> = {};
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    if (separator <= 0) throw new ConfigError(`--map expects column=name, got "${entry}"`);
    const key = entry.slice(0, separator).trim();
    const value = entry.slice(separator + 1).trim();
    raw[key] = key === 'optionColumns' ? value.split(',').map((column) => column.trim()) : value;
  }
  const parsed = columnMappingSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`--map ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid mapping'}`);
  }
  return parsed.data;
}

function loadOptions(flags: ReadFlags, onProblem?: (problem: DatasetProblem) => void): LoadDatasetOptions {
  const options: LoadDatasetOptions = {};
  if (flags.format) options.format = flags.format;
  if (flags.strict) options.strict = true;
  if (flags.imageRoot) options.imageRoot = flags.imageRoot;
  if (flags.map) options.mapping = parseMapping(flags.map);
  if (flags.copBase !== undefined) options.medmcqaCopBase = flags.copBase;
  if (onProblem) options.onProblem = onProblem;
  options.onProgress = ({ records }) => {
    if (records % 100_000 === 0) printError(`read ${formatCount(records)} records`);
  };
  return options;
}

function histogram(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const shown = entries.slice(0, 12).map(([key, count]) => `${key} ${formatCount(count)}`);
  return entries.length > 12
    ? `${shown.join(', ')}, ... (${entries.length} in all)`
    : shown.join(', ') || '-';
}

export function registerDataCommand(program: Command): void {
  const data = program.command('data').description('read, check, convert and split medical QA datasets');

  addReadFlags(
    data
      .command('inspect <path>')
      .description('count items, fields, answers, subjects, splits, images and problems'),
  ).action(async (path: string, flags: ReadFlags) => {
    const summary = await inspectDataset(path, loadOptions(flags));
    if (flags.json) return printJson(summary);
    printLine(`${summary.file} (${summary.format}): ${formatCount(summary.items)} items`);
    printLine(`  kinds      ${histogram(summary.kinds)}`);
    printLine(`  fields     ${histogram(summary.fields)}`);
    printLine(`  options    ${histogram(summary.optionCounts)}`);
    printLine(`  answers    ${histogram(summary.answers)}`);
    printLine(`  subjects   ${histogram(summary.subjects)}`);
    printLine(`  splits     ${histogram(summary.splits)}`);
    printLine(
      `  images     ${formatCount(summary.images)} found, ${formatCount(summary.imagesMissing)} missing`,
    );
    const counts = summary.problemCounts;
    printLine(
      `  problems   ${formatCount(counts.errors)} errors, ${formatCount(counts.warnings)} warnings ${histogram(counts.byCode)}`,
    );
    for (const problem of summary.problems) printLine(`    ${formatProblem(problem)}`);
  });

  addReadFlags(
    data
      .command('convert <path>')
      .description(
        'write the dataset for a trainer: OpenAI chat JSONL, LLaMA-Factory sharegpt or Alpaca (with dataset_info.json)',
      ),
  )
    .requiredOption(
      '--to <target>',
      'openai, llamafactory or alpaca',
      choiceFlag('--to', ['openai', 'llamafactory', 'alpaca'] as const),
    )
    .requiredOption('--out <dir>', 'output folder')
    .option('--name <name>', 'dataset name (default: from the file name)')
    .option(
      '--images <mode>',
      'LLaMA-Factory/Alpaca: copy images into the folder, or reference the originals',
      choiceFlag('--images', ['copy', 'reference'] as const),
      'copy',
    )
    .option('--system <text>', 'a system prompt for every record')
    .action(
      async (
        path: string,
        flags: ReadFlags & {
          to: 'openai' | 'llamafactory' | 'alpaca';
          out: string;
          name?: string;
          images: 'copy' | 'reference';
          system?: string;
        },
      ) => {
        let problems = 0;
        const onProblem = (problem: DatasetProblem) => {
          problems += 1;
          printError(formatProblem(problem));
        };
        const { checks, format, name, ...result } = await convertDataset(path, {
          to: flags.to,
          out: flags.out,
          images: flags.images,
          ...definedOnly({ name: flags.name, system: flags.system }),
          load: loadOptions(flags, onProblem),
        });
        const checkProblems = checks.flatMap((check) => check.problems);
        for (const problem of checkProblems) printError(formatProblem(problem));
        if (flags.json) return printJson({ format, to: flags.to, name, ...result, problems, checks });
        printLine(
          `wrote ${formatCount(result.written)} records (${formatCount(result.skipped)} skipped, ${formatCount(problems)} problems) to ${result.files.join(', ')}`,
        );
        for (const check of checks) {
          printLine(
            `checked ${check.dataset}: ${formatCount(check.records)} records, ${formatCount(check.images)} images, ${check.problems.length} problems`,
          );
        }
      },
    );

  addReadFlags(
    data
      .command('split <path>')
      .description(
        'deduplicate and split into train/validation/test (seeded, stratified), with a contamination check',
      ),
  )
    .requiredOption(
      '--out <dir>',
      'output folder for train.jsonl, validation.jsonl, test.jsonl and split-report.json',
    )
    .option('--test <fraction>', 'share of items for test', numberFlag('--test', { min: 0, max: 0.99 }), 0.2)
    .option(
      '--val <fraction>',
      'share of items for validation',
      numberFlag('--val', { min: 0, max: 0.99 }),
      0,
    )
    .option('--seed <n>', 'split seed', integerFlag('--seed'), 0)
    .option(
      '--stratify <by>',
      'answer, subject, answer-subject or none',
      choiceFlag('--stratify', ['answer', 'subject', 'answer-subject', 'none'] as const),
      'answer',
    )
    .action(
      async (
        path: string,
        flags: ReadFlags & { out: string; test: number; val: number; seed: number; stratify: StratifyBy },
      ) => {
        const loaded = await loadDataset(
          path,
          loadOptions(flags, (problem) => printError(formatProblem(problem))),
        );
        const report = await writeSplits(loaded.items, flags.out, {
          test: flags.test,
          validation: flags.val,
          seed: flags.seed,
          stratify: flags.stratify,
        });
        if (flags.json)
          return printJson({ format: loaded.format, problems: loaded.problems.length, ...report });
        const contaminated = Object.entries(report.contamination)
          .map(([pair, hits]) => `${pair} ${hits.length}`)
          .join(', ');
        printLine(
          `${formatCount(report.input)} items, ${formatCount(report.duplicatesRemoved.length)} duplicates removed: train ${formatCount(report.counts.train)}, ` +
            `validation ${formatCount(report.counts.validation)}, test ${formatCount(report.counts.test)}`,
        );
        printLine(`contamination (13-gram overlap): ${contaminated}`);
        printLine(`wrote ${report.files.join(', ')}`);
      },
    );
}
