import { resolve } from 'node:path';
import { summariseEgress } from '../../privacy/audit.js';
import { applyPrivacyFlags, type PrivacyFlags } from '../../privacy/policy.js';
import { withRunLock } from '../../store/run-lock.js';
import { RunStore } from '../../store/run-store.js';
import type { RunEvent } from '../strategy-context.js';
import type { DistillationResults } from './results.js';
import { type RunConfig, readRunConfig } from './run-config.js';
import { runDistillation } from './run-distillation.js';
import { setupRun } from './setup-run.js';
import { writeRunOutputs } from './write-run-outputs.js';

export interface RunFromConfigOptions {
  configPath: string;
  /** The run directory (default: runs/<config name>). */
  out?: string;
  /** Command-line privacy flags, applied over the config's `privacy:` block. */
  privacy?: PrivacyFlags;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
}

export interface RunFromConfigResult {
  directory: string;
  config: RunConfig;
  results: DistillationResults;
  elapsedMs: number;
}

/**
 * `medistill run`: read the config, take the run directory's lock (a second run on the same
 * directory is refused, not run twice), check everything, run the strategies, write the outputs.
 * The lock and the store are released however the run ends; a rerun resumes.
 */
export async function runFromConfig(options: RunFromConfigOptions): Promise<RunFromConfigResult> {
  const started = performance.now();
  const read = await readRunConfig(options.configPath);
  const config = { ...read, privacy: applyPrivacyFlags(read.privacy, options.privacy ?? {}) };
  const directory = resolve(options.out ?? `runs/${config.name}`);
  return withRunLock(directory, async () => {
    const store = RunStore.openDirectory(directory);
    try {
      const setup = await setupRun(config, directory, store);
      const { results, report } = await runDistillation({
        ...setup,
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const egress = summariseEgress(store.egress.byHost());
      await writeRunOutputs(directory, { config, results }, { ...report, egress });
      return { directory, config, results, elapsedMs: performance.now() - started };
    } finally {
      store.close();
    }
  });
}
