import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import type { LanguageModel } from '../../models/language-model.js';
import { readRunReport } from '../../report/read-run-report.js';
import { registerEvalCommand } from './eval.js';

// Real MedMCQA items (shared read-only data); the model is a fake at the model boundary.
const dataPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/data/medmcqa/medagentsbench_medmcqa_test.jsonl',
);

function alwaysAnswers(key: string, closed: string[]): LanguageModel {
  return {
    id: `fake:always-${key}`,
    generate: async () => ({
      choices: [{ text: `Thinking about it.\nFinal Answer: ${key}` }],
      usage: { promptTokens: 1, completionTokens: 1 },
    }),
    close: async () => {
      closed.push(key);
    },
  };
}

async function runEval(args: string[], closed: string[]): Promise<string> {
  const program = new Command('medistill').exitOverride();
  registerEvalCommand(program, async (spec) => alwaysAnswers(spec, closed));
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'medistill', 'eval', ...args]);
  } finally {
    spy.mockRestore();
  }
  return written.join('');
}

describe.skipIf(!existsSync(dataPath))('medistill eval', () => {
  it('scores a model on real items, writes the run and closes the model', async () => {
    const lines = (await readFile(dataPath, 'utf8')).trim().split('\n').slice(0, 40);
    const answersC = lines.filter((line) => JSON.parse(line).answer_idx === 'C').length;
    const out = await mkdtemp(join(tmpdir(), 'medistill-eval-'));
    const closed: string[] = [];
    const summary = JSON.parse(
      await runEval(
        [
          '--model',
          'C',
          '--data',
          dataPath,
          '--mode',
          'cot',
          '--limit',
          '40',
          '--concurrency',
          '4',
          '--out',
          out,
          '--json',
        ],
        closed,
      ),
    );
    expect(summary).toMatchObject({
      model: 'fake:always-C',
      mode: 'cot',
      n: 40,
      correct: answersC,
      failed: 0,
      unanswered: 0,
    });
    expect(summary.accuracy).toBeCloseTo(answersC / 40, 12);
    // Always answering C is exactly the "always C" position prior.
    expect(summary.positionPrior.answerKeyCounts.C).toBe(answersC);
    expect(closed).toEqual(['C']);
    const report = await readRunReport(join(out, 'results.json'));
    expect(report.strategies[0]).toMatchObject({ name: 'C', n: 40, correct: answersC });
    expect(report.items).toHaveLength(40);
    const predictions = (await readFile(join(out, 'predictions.jsonl'), 'utf8')).trim().split('\n');
    expect(predictions).toHaveLength(40);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  });

  it('refuses judge mode without a judge, and bad flags, before scoring', async () => {
    const closed: string[] = [];
    await expect(
      runEval(['--model', 'B', '--data', dataPath, '--mode', 'judge', '--limit', '3'], closed),
    ).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(/judge/),
    });
    expect(closed).toEqual([]);
    await expect(runEval(['--model', 'B', '--data', dataPath, '--mode', 'guess'], closed)).rejects.toThrow(
      /--mode must be one of/,
    );
  });
});
