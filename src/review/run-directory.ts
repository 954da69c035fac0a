import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Item, itemSchema } from '../datasets/item.js';
import type { RunLockHolder } from '../errors.js';
import { runItemsFileName } from '../methods/run/run-distillation.js';
import { readRunReport } from '../report/read-run-report.js';
import type { RunReport } from '../report/run-report.js';
import { readLiveRunLock, runLockFileName } from '../store/run-lock.js';

/** One strategy at one seed: a `<strategy>/seed-N/` folder of stage files. */
export interface StrategyRun {
  strategy: string;
  seed: number;
  /** `strategy/seed-N`, the key pages and forms use (never a path taken from a request). */
  key: string;
  directory: string;
  /** Stage files, oldest first (a strategy finishes its stages one after another). */
  stages: StageFile[];
}

export interface StageFile {
  /** The stage name, e.g. `explain`, `stage2.probe`. */
  name: string;
  path: string;
  finishedAt: Date;
}

/** What the viewer knows of a run directory at one moment. */
export interface RunSnapshot {
  directory: string;
  runs: StrategyRun[];
  items: Map<string, Item>;
  /** The report from results.json, once the run has finished. */
  report: RunReport | undefined;
  /** The process writing the run, while one holds its lock. */
  running: RunLockHolder | undefined;
}

/** Stage files that are not stage results: review fingerprints and training histories. */
const notStageResults = (name: string) => name.endsWith('.review.json') || name.endsWith('.train.json');

/** Reads a run directory as it is now (finished or still running); reads only, writes nothing. */
export async function readRunDirectory(directory: string): Promise<RunSnapshot> {
  const runs: StrategyRun[] = [];
  for (const strategy of await readdir(directory, { withFileTypes: true })) {
    if (!strategy.isDirectory() || strategy.name === 'trained-models') continue;
    for (const seed of await readdir(join(directory, strategy.name), { withFileTypes: true })) {
      const match = /^seed-(-?\d+)$/.exec(seed.name);
      if (!seed.isDirectory() || !match) continue;
      const runDirectory = join(directory, strategy.name, seed.name);
      runs.push({
        strategy: strategy.name,
        seed: Number(match[1]),
        key: `${strategy.name}/${seed.name}`,
        directory: runDirectory,
        stages: await stageFiles(runDirectory),
      });
    }
  }
  runs.sort((a, b) => a.key.localeCompare(b.key));
  const resultsPath = join(directory, 'results.json');
  const lock = readLiveRunLock(join(directory, runLockFileName));
  return {
    directory,
    runs,
    items: await readRunItems(directory),
    report: existsSync(resultsPath) ? await readRunReport(resultsPath) : undefined,
    running: lock,
  };
}

async function stageFiles(directory: string): Promise<StageFile[]> {
  const files: StageFile[] = [];
  for (const name of await readdir(directory)) {
    if (!name.endsWith('.json') || notStageResults(name)) continue;
    const path = join(directory, name);
    files.push({ name: name.slice(0, -'.json'.length), path, finishedAt: statSync(path).mtime });
  }
  return files.sort((a, b) => a.finishedAt.getTime() - b.finishedAt.getTime());
}

/**
 * The run's items: `items.jsonl` (written by every run since the viewer exists), or for older demo
 * runs the test items in `test.jsonl`. Lines that are not items are skipped: the viewer shows what
 * it can read.
 */
async function readRunItems(directory: string): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  for (const name of [runItemsFileName, 'test.jsonl']) {
    const path = join(directory, name);
    if (!existsSync(path)) continue;
    for (const line of (await readFile(path, 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      const parsed = itemSchema.safeParse(JSON.parse(line));
      if (parsed.success && !items.has(parsed.data.id)) items.set(parsed.data.id, parsed.data);
    }
    if (items.size > 0) break;
  }
  return items;
}

/** A stage file's JSON. */
export async function readStageFile(stage: StageFile): Promise<unknown> {
  return JSON.parse(await readFile(stage.path, 'utf8'));
}
