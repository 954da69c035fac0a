import { join } from 'node:path';
import type { Command } from 'commander';
import type { ResolveModel } from '../../compose/resolve-model.js';
import { formatProblem } from '../../datasets/dataset-problem.js';
import { formatGroundingTable } from '../../report/grounding-table.js';
import { definedOnly } from '../../util/defined-only.js';
import type { GroundingResult } from '../../vision/grounding.js';
import { runGrounding } from '../../vision/grounding-run.js';
import { withInterrupt } from '../interrupt.js';
import { integerFlag } from '../options.js';
import { printError, printJson, printLine } from '../output.js';
import { allowEndpointFlag, commandGuard, localOnlyFlag } from '../privacy-flags.js';
import { ProgressLine } from '../progress.js';

interface GroundingFlags {
  model: string;
  data: string;
  limit?: number;
  split?: string;
  seed: number;
  concurrency: number;
  maxTokens: number;
  maxSide: number;
  imageRoot?: string;
  withCaptions?: boolean;
  out?: string;
  json?: boolean;
  localOnly?: boolean;
  allowEndpoint?: string[];
}

/** What `--json` prints: everything but the per-item replies, which go to grounding.json. */
function resultJson(result: GroundingResult, out: string | undefined) {
  return {
    model: result.modelId,
    seed: result.seed,
    excluded: result.excluded,
    ...result.summary,
    problems: result.problems.map(formatProblem),
    ...(out === undefined ? {} : { out }),
  };
}

/**
 * `medistill vqa grounding`: does a vision-language model look at the image? The same test items
 * under four conditions (real image, blank image, another item's image, no image) with accuracy,
 * Wilson intervals, paired McNemar tests with Holm's correction and the answer-prior floors;
 * `--out` writes grounding.json (with every reply) and grounding.svg. The work is
 * `runGrounding`; this file holds the flags and the printing.
 */
export function registerVqaCommand(program: Command, resolveModel: ResolveModel): void {
  const vqa = program
    .command('vqa')
    .description('vision question answering: analyses of vision-language models');
  vqa
    .command('grounding')
    .description("compare accuracy with the real image, a blank one, another item's image and none")
    .requiredOption('--model <spec>', 'the vision-language model, e.g. llama-server:http://127.0.0.1:8080/v1')
    .requiredOption('--data <path>', 'a VQA dataset (VQA-RAD, PMC-VQA, or any format with images)')
    .option(
      '--limit <n>',
      'use only the first n items that can take part',
      integerFlag('--limit', { min: 1 }),
    )
    .option('--split <name>', 'use only items of this split (e.g. test)')
    .option('--seed <n>', 'seed of the other-image assignment', integerFlag('--seed'), 1)
    .option('--concurrency <n>', 'model calls in flight', integerFlag('--concurrency', { min: 1 }), 1)
    .option('--max-tokens <n>', 'reply token limit', integerFlag('--max-tokens', { min: 1 }), 512)
    .option(
      '--max-side <px>',
      'longest image side sent to the model',
      integerFlag('--max-side', { min: 28 }),
      1024,
    )
    .option('--image-root <path>', 'folder or .zip that image names are relative to')
    .option('--with-captions', 'show dataset captions with the question (withheld by default)')
    .option('--out <dir>', 'write grounding.json and grounding.svg here')
    .option('--json', 'print the result as JSON')
    .option(...localOnlyFlag)
    .option(...allowEndpointFlag)
    .action(async (flags: GroundingFlags) => {
      const guard = commandGuard(flags);
      await guard?.check(flags.model, '--model');
      const progress = new ProgressLine();
      try {
        const { loadProblems, result } = await withInterrupt((signal) =>
          runGrounding({
            modelSpec: flags.model,
            resolveModel: (spec) => resolveModel(spec, guard ? { guard } : {}),
            dataPath: flags.data,
            ...definedOnly({
              imageRoot: flags.imageRoot,
              split: flags.split,
              limit: flags.limit,
              out: flags.out,
            }),
            seed: flags.seed,
            concurrency: flags.concurrency,
            maxTokens: flags.maxTokens,
            maxSide: flags.maxSide,
            withCaptions: flags.withCaptions ?? false,
            signal,
            onProgress: ({ done, total }) =>
              progress.update(`grounding ${done}/${total} model calls`, done === total),
          }),
        );
        progress.done();
        if (loadProblems.length > 0)
          printError(
            `${loadProblems.length} record(s) skipped in ${flags.data}; first: ${formatProblem(loadProblems[0]!)}`,
          );
        for (const problem of result.problems) printError(formatProblem(problem));
        if (flags.json) {
          printJson(resultJson(result, flags.out));
          return;
        }
        for (const line of formatGroundingTable(result)) printLine(line);
        if (flags.out !== undefined)
          printLine(`\nwrote ${join(flags.out, 'grounding.json')} and grounding.svg`);
      } finally {
        progress.done();
      }
    });
}
