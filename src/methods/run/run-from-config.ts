import { resolve } from 'node:path';
import type { Item } from '../../datasets/item.js';
import type { QuantizeType } from '../../engines/llama-cpp/quantize-model.js';
import { ConfigError } from '../../errors.js';
import type { LanguageModel } from '../../models/language-model.js';
import { summariseEgress } from '../../privacy/audit.js';
import { applyPrivacyFlags, type PrivacyFlags } from '../../privacy/policy.js';
import type { DeployReportInput } from '../../report/deploy-report.js';
import { withRunLock } from '../../store/run-lock.js';
import { RunStore } from '../../store/run-store.js';
import type { RunEvent } from '../strategy-context.js';
import type { DistillationResults } from './results.js';
import { type RunConfig, readRunConfig } from './run-config.js';
import { runDistillation } from './run-distillation.js';
import { setupRun } from './setup-run.js';
import type { VisionStudentStarter } from './setup-vision.js';
import { studentNote } from './student-setup.js';
import { writeRunOutputs } from './write-run-outputs.js';

export interface RunFromConfigOptions {
  configPath: string;
  /** The run directory (default: runs/<config name>). */
  out?: string;
  /** Command-line privacy flags, applied over the config's `privacy:` block. */
  privacy?: PrivacyFlags;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** Runs the config's `deploy:` stage (export and footprint); without it a `deploy:` block is refused. */
  deployStage?: (stage: DeployStageInput) => Promise<DeployReportInput>;
  /** Serves a vision student for evaluation (llama-server --mmproj); needed when the data has images. */
  startVisionStudent?: VisionStudentStarter;
}

/** What the deploy stage gets: the reference strategy's final student and the run's test items. */
export interface DeployStageInput {
  directory: string;
  model: string;
  /** The student's LoRA adapter, when it is one: merged into `model` before anything is exported. */
  adapter?: string;
  types: readonly QuantizeType[];
  test: readonly Item[];
  loadModel: (path: string) => Promise<LanguageModel>;
  maxAnswerTokens: number;
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
  if (config.deploy && !options.deployStage)
    throw new ConfigError(`${options.configPath}: deploy: this caller cannot run a deploy stage`);
  return withRunLock(directory, async () => {
    const store = RunStore.openDirectory(directory);
    let release: (() => Promise<void>) | undefined;
    try {
      const setup = await setupRun(config, directory, store, options.configPath, options.startVisionStudent);
      release = setup.release;
      const { results, report, referenceModel, referenceAdapter } = await runDistillation({
        ...setup,
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const deploy =
        config.deploy && referenceModel && options.deployStage
          ? await options.deployStage({
              directory,
              model: referenceModel,
              ...(referenceAdapter ? { adapter: referenceAdapter } : {}),
              types: config.deploy.types,
              test: setup.test,
              loadModel: setup.student.load,
              maxAnswerTokens: config.student.maxAnswerTokens,
              ...(options.signal ? { signal: options.signal } : {}),
            })
          : undefined;
      report.description = [report.description, studentNote(config)].filter(Boolean).join(' ');
      const egress = summariseEgress(store.egress.byHost());
      await writeRunOutputs(
        directory,
        { config, results, ...(deploy ? { deploy } : {}) },
        { ...report, egress, ...(deploy ? { deploy } : {}) },
      );
      return { directory, config, results, elapsedMs: performance.now() - started };
    } finally {
      await release?.();
      store.close();
    }
  });
}
