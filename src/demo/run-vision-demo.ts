import { copyFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { buildImagingBenchmark, type ImagingBenchmark } from '../benchmark/imaging/generate-imaging.js';
import { SceneTeacher } from '../benchmark/imaging/scene-teacher.js';
import { writeImagingImages } from '../benchmark/imaging/write-imaging.js';
import { threadsPerTraining } from '../compose/create-training-engine.js';
import { writeItemsJsonl } from '../datasets/export/items-jsonl.js';
import { itemPromptText } from '../datasets/item-prompt.js';
import { loadVisionStudent } from '../deploy/serve/vision-student-model.js';
import { TfjsTrainingEngine } from '../engines/tfjs/tfjs-training-engine.js';
import type { DistillationResults } from '../methods/run/results.js';
import { runDistillation } from '../methods/run/run-distillation.js';
import { visionSettings, visionStudentFiles, visionStudentLoader } from '../methods/run/setup-vision.js';
import { writeRunOutputs } from '../methods/run/write-run-outputs.js';
import { SceneGroundedTeacher } from '../methods/teacher/scene-grounded-teacher.js';
import { projectorBeside } from '../methods/vision-projector-path.js';
import type { GroundingExample } from '../report/grounding-report.js';
import { withRunLock } from '../store/run-lock.js';
import { type GroundingResult, runGroundingAnalysis } from '../vision/grounding.js';
import type { DemoOptions } from './run-demo.js';
import { shownExamples } from './shown-examples.js';
import { type VisionDemoSettings, visionDemoSettings } from './vision-demo-settings.js';

/** Trainings side by side (one worker each); the cores are shared out between them. */
const PARALLEL_STRATEGIES = 2;

/** The text demo's options, with the vision demo's settings. */
export type VisionDemoOptions = Omit<DemoOptions, 'settings'> & { settings?: VisionDemoSettings };

export interface VisionDemoSummary {
  directory: string;
  benchmark: {
    trainItems: number;
    testItems: number;
    mislabeled: number;
    conditions: number;
    imageSize: number;
    chance: number;
  };
  /** The trained CoT-VL student, copied into the run directory: text GGUF and mmproj. */
  student: { path: string; projectorPath: string };
  results: DistillationResults;
  /** The CoT-VL student under real, blank, other and no image, with the paired tests. */
  grounding: GroundingResult;
  /** A few test films with the CoT-VL student's reply; the report shows them. */
  examples: GroundingExample[];
  elapsedMs: number;
}

/**
 * `medistill demo --vision`: LiteMedCoT-VL offline. The project's imaging benchmark (chest films
 * drawn here, findings from a knowledge base, held-out finding combinations), a scene-grounded
 * teacher that reads each film's description, and a tiny vision student (ViT encoder, projector,
 * Llama) trained here; zero-shot, answer-only, the caption ablation and CoT-VL with the same
 * student and budget, then the grounding analysis of the CoT-VL student.
 */
export function runVisionDemo(options: VisionDemoOptions): Promise<VisionDemoSummary> {
  return withRunLock(options.directory, () => visionDemoInDirectory(options));
}

async function visionDemoInDirectory(options: VisionDemoOptions): Promise<VisionDemoSummary> {
  const started = performance.now();
  const settings = options.settings ?? visionDemoSettings(options.quick);
  const { directory } = options;
  await mkdir(directory, { recursive: true });
  const benchmark = buildImagingBenchmark({
    ...settings.benchmark,
    imageDirectory: join(directory, 'benchmark-images'),
  });
  await writeImagingImages(benchmark);
  await writeItemsJsonl(benchmark.test, join(directory, 'test.jsonl'));
  options.onLog?.(describeBenchmark(benchmark));
  const teacher = new SceneGroundedTeacher(new SceneTeacher(benchmark.knowledgeBase), {
    seed: benchmark.options.seed,
  });
  const files = await visionStudentFiles(
    { model: 'new', projector: 'new', shape: settings.student },
    directory,
    benchmark.train,
    benchmark.knowledgeBase.factLines(),
  );
  const vision = visionSettings({});
  const load = visionStudentLoader(loadVisionStudent, files, { parallel: 4, threads: 1 });
  try {
    const { results, report } = await runDistillation({
      name: options.quick ? 'vision-demo-quick' : 'vision-demo',
      directory,
      strategies: settings.strategies,
      seeds: settings.seeds,
      train: benchmark.train,
      test: benchmark.test,
      teacher,
      student: {
        baseModel: files.modelPath,
        visionProjector: files.projectorPath,
        engine: new TfjsTrainingEngine({ threads: threadsPerTraining(PARALLEL_STRATEGIES) }),
        hyperparameters: settings.training,
        maxAnswerTokens: settings.maxAnswerTokens,
        load,
      },
      vision,
      concurrency: 4,
      parallelStrategies: PARALLEL_STRATEGIES,
      samples: settings.samples,
      rounds: 1,
      stage2Replay: false,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // The CoT-VL student of the first seed: analysed, shown and handed over as GGUF + mmproj.
    const trained = join(directory, 'cot-vl', `seed-${settings.seeds[0]}`, 'student.gguf');
    const student = {
      path: join(directory, 'student.gguf'),
      projectorPath: join(directory, 'student.mmproj.gguf'),
    };
    await copyFile(trained, student.path);
    await copyFile(projectorBeside(trained), student.projectorPath);
    options.onLog?.('grounding analysis of the CoT-VL student: real, blank, other and no image');
    const model = await load(trained);
    let grounding: GroundingResult;
    try {
      grounding = await runGroundingAnalysis({
        model,
        items: benchmark.test,
        images: vision.images,
        seed: 1,
        concurrency: 4,
        maxTokens: settings.maxAnswerTokens,
        // Asked in the words it was trained on, as in the evaluation.
        prompt: (item) => itemPromptText(item),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } finally {
      await model.close?.();
    }
    const examples = shownExamples(report, benchmark.test, 'cot-vl', settings.shownExamples);
    const summary: VisionDemoSummary = {
      directory,
      benchmark: {
        trainItems: benchmark.train.length,
        testItems: benchmark.test.length,
        mislabeled: benchmark.mislabeledIds.size,
        conditions: benchmark.knowledgeBase.conditions.length,
        imageSize: benchmark.options.imageSize,
        chance: 0.25,
      },
      student,
      results,
      grounding,
      examples,
      elapsedMs: performance.now() - started,
    };
    await writeRunOutputs(
      directory,
      { ...summary },
      {
        ...report,
        baselines: [{ name: 'chance', accuracy: 0.25 }],
        grounding: {
          subject: 'the CoT-VL student',
          modelId: grounding.modelId,
          seed: grounding.seed,
          excluded: grounding.excluded,
          summary: grounding.summary,
          // Relative to the run directory, so `medistill report` finds the films after a move.
          examples: examples.map((example) => ({
            ...example,
            imagePath: relative(directory, example.imagePath),
          })),
        },
      },
    );
    return summary;
  } finally {
    await vision.close();
  }
}

function describeBenchmark(benchmark: ImagingBenchmark): string {
  return `imaging benchmark: ${benchmark.train.length} training films (${benchmark.mislabeledIds.size} deliberately mislabeled), ${benchmark.test.length} test films in side/size combinations training never shows, ${benchmark.options.imageSize} px`;
}
