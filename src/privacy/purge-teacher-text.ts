import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseRunReport } from '../report/read-run-report.js';
import { renderHtmlReport } from '../report/render-html-report.js';
import { renderMarkdownReport } from '../report/render-markdown-report.js';
import { withRunLock } from '../store/run-lock.js';
import { RunStore, runStoreFileName } from '../store/run-store.js';
import { writeFileAtomically } from '../util/atomic-write.js';

export interface PurgeResult {
  directory: string;
  /** Call-log rows whose request and reply text was deleted. */
  calls: number;
  /** Item results deleted from the store. */
  items: number;
  /** Stage files and training data deleted, relative to the run directory. */
  files: string[];
  /** Whether results.json and the reports were rewritten without teacher text. */
  reportRewritten: boolean;
}

/** Report fields that hold teacher text (corrective chains, explanations). */
const teacherTextFields = new Set(['correctiveChain', 'teacherExplanation']);

/**
 * `medistill purge RUN_DIR --teacher-text`: deletes the teacher's prompts and replies from a run
 * while keeping its counts and figures. In the store, call text and item results go (rows, tokens,
 * costs and the egress log stay); on disk, the strategies' stage files (teacher replies, student
 * answers) and training data files go, while training histories stay; results.json, report.html
 * and report.md are rewritten without corrective chains and teacher explanations. A rerun finds no
 * cached replies and asks the teacher again.
 */
export async function runPurgeTeacherText(options: { directory: string }): Promise<PurgeResult> {
  const { directory } = options;
  if (!existsSync(join(directory, runStoreFileName)))
    throw new ConfigError(`${directory} is not a run directory (no ${runStoreFileName})`);
  // Under the run's lock: a run still writing to this directory is refused, not raced.
  return withRunLock(directory, async () => {
    const store = RunStore.openDirectory(directory);
    let counts: { calls: number; items: number };
    try {
      counts = store.purgeText();
    } finally {
      store.close();
    }
    const files: string[] = [];
    for (const path of await stageFiles(directory)) {
      await rm(path, { force: true });
      files.push(relative(directory, path));
    }
    const reportRewritten = await rewriteReport(directory);
    return { directory, ...counts, files, reportRewritten };
  });
}

/**
 * Stage caches and training data in the strategies' `<strategy>/seed-N/` folders: every `.json`
 * and `.jsonl` there except training histories (`*.train.json`), which hold only losses.
 */
async function stageFiles(directory: string): Promise<string[]> {
  const found: string[] = [];
  for (const strategy of await readdir(directory, { withFileTypes: true })) {
    if (!strategy.isDirectory() || strategy.name === 'trained-models') continue;
    const strategyPath = join(directory, strategy.name);
    for (const seed of await readdir(strategyPath, { withFileTypes: true })) {
      if (!seed.isDirectory() || !seed.name.startsWith('seed-')) continue;
      const seedPath = join(strategyPath, seed.name);
      for (const file of await readdir(seedPath)) {
        const isStageFile =
          file.endsWith('.jsonl') || (file.endsWith('.json') && !file.endsWith('.train.json'));
        if (isStageFile) found.push(join(seedPath, file));
      }
    }
  }
  return found;
}

async function rewriteReport(directory: string): Promise<boolean> {
  const resultsPath = join(directory, 'results.json');
  if (!existsSync(resultsPath)) return false;
  const results = withoutTeacherText(JSON.parse(await readFile(resultsPath, 'utf8'))) as Record<
    string,
    unknown
  >;
  await writeFileAtomically(resultsPath, `${JSON.stringify(results, null, 1)}\n`);
  if (results.report === undefined) return true;
  const report = parseRunReport(results.report, resultsPath);
  await writeFileAtomically(join(directory, 'report.html'), await renderHtmlReport(report));
  await writeFileAtomically(join(directory, 'report.md'), renderMarkdownReport(report));
  return true;
}

function withoutTeacherText(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTeacherText);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !teacherTextFields.has(key))
      .map(([key, inner]) => [key, withoutTeacherText(inner)]),
  );
}
