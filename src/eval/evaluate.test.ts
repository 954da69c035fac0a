import { describe, expect, it } from 'vitest';
import { fakeModel, multipleChoiceItem } from '../../test/fixtures/eval/fake-language-model.js';
import type { Item } from '../datasets/item.js';
import { evaluate } from './evaluate.js';
import { wilsonInterval } from './statistics/wilson-interval.js';

const keys = ['A', 'B', 'C', 'D'];
const items = Array.from({ length: 12 }, (_, index) =>
  multipleChoiceItem(index, keys[index % 4]!, index < 8 ? 'Pharmacology' : 'Renal'),
);
const answerOf = new Map(items.map((item) => [item.question, item.answerKey]));

describe('evaluate, log-likelihood mode', () => {
  // The model prefers the right option on items 0-8 and always option A on items 9-11 (whose answers are B, C, D).
  const chooses = (question: string): string =>
    Number(question.split(' ')[1]) < 9 ? answerOf.get(question)! : 'A';
  const model = fakeModel('fake:loglik', {
    scores: (question, continuations) =>
      continuations.map((continuation) => ({
        logprob: continuation.startsWith(` ${chooses(question)}.`) ? -0.5 : -2.5,
        tokenCount: 3,
        byteCount: Buffer.byteLength(continuation),
      })),
  });

  it('scores every item and reports accuracy with its Wilson interval', async () => {
    const result = await evaluate({ model, items, mode: 'loglik' });
    const expectedCorrect = items.filter((item) => chooses(item.question) === item.answerKey).length;
    expect(result.summary.n).toBe(12);
    expect(result.summary.correct).toBe(expectedCorrect);
    expect(result.summary.accuracy).toBeCloseTo(expectedCorrect / 12, 12);
    expect(result.summary.ci95).toEqual(wilsonInterval(expectedCorrect, 12));
    expect(result.predictions.map((prediction) => prediction.id)).toEqual(items.map((item) => item.id));
    const first = result.predictions[0]!;
    expect(first.optionScores?.map((score) => score.continuation)).toEqual([
      ' A. Spironolactone',
      ' B. Furosemide',
      ' C. Amiloride',
      ' D. Eplerenone',
    ]);
    const probabilitySum = first.optionScores!.reduce((sum, score) => sum + score.probability, 0);
    expect(probabilitySum).toBeCloseTo(1, 12);
    // Softmax of (-0.5, -2.5, -2.5, -2.5): e^2 / (e^2 + 3).
    expect(first.confidence).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 3), 12);
    expect(result.summary.ece).toBeGreaterThanOrEqual(0);
    expect(result.summary.reliability).toHaveLength(10);
    expect(result.summary.perSubject.map((row) => [row.subject, row.n])).toEqual([
      ['Pharmacology', 8],
      ['Renal', 4],
    ]);
    expect(result.summary.positionPrior?.predictedKeyCounts.A).toBe(
      result.predictions.filter((prediction) => prediction.prediction === 'A').length,
    );
  });

  it('picks by log-probability per byte for acc_norm, as the harness does', async () => {
    // The right answer "C. Amiloride" is long and has a lower total but a higher per-byte score.
    const lengthModel = fakeModel('fake:length', {
      scores: (_question, continuations) =>
        continuations.map((continuation) => {
          const bytes = Buffer.byteLength(continuation);
          return {
            logprob: continuation.startsWith(' C') ? -0.1 * bytes : continuation.startsWith(' A') ? -1 : -50,
            tokenCount: 2,
            byteCount: bytes,
          };
        }),
    });
    const item = {
      ...multipleChoiceItem(0, 'C'),
      options: [
        { key: 'A', text: 'x' },
        { key: 'C', text: 'Amiloride with a long name' },
      ],
    };
    const result = await evaluate({ model: lengthModel, items: [item], mode: 'loglik' });
    expect(result.predictions[0]).toMatchObject({
      prediction: 'A',
      correct: false,
      predictionNorm: 'C',
      correctNorm: true,
    });
    expect(result.summary.accNorm?.correct).toBe(1);
    expect(result.summary.correct).toBe(0);
  });

  it('records model errors and malformed scores as wrong items, without throwing', async () => {
    const failing = fakeModel('fake:failing', {
      failOn: new Set(['question 2']),
      scores: (question, continuations) =>
        question === 'question 5'
          ? [{ logprob: -1, tokenCount: 1, byteCount: 1 }]
          : continuations.map((continuation) => ({
              logprob: continuation.startsWith(` ${answerOf.get(question)}.`) ? -1 : -3,
              tokenCount: 1,
              byteCount: 5,
            })),
    });
    const result = await evaluate({ model: failing, items, mode: 'loglik', concurrency: 3 });
    expect(result.summary.n).toBe(12);
    expect(result.summary.failed).toBe(2);
    expect(result.summary.correct).toBe(10);
    expect(result.summary.ci95).toEqual(wilsonInterval(10, 12));
    expect(result.predictions[2]).toMatchObject({
      id: 'item-2',
      prediction: null,
      correct: false,
      error: expect.stringContaining('server error'),
    });
    expect(result.predictions[5]?.error).toMatch(/expected 4 scores/);
  });

  it('refuses a model that cannot score, before any call', async () => {
    const calls: number[] = [];
    const generateOnly = fakeModel('fake:generate-only', {
      withoutScoring: true,
      onCall: (count) => calls.push(count),
    });
    await expect(evaluate({ model: generateOnly, items, mode: 'loglik' })).rejects.toMatchObject({
      name: 'ConfigError',
    });
    expect(calls).toEqual([]);
  });
});

describe('evaluate, chain-of-thought mode', () => {
  it('extracts answers, counts unreadable replies as wrong and keeps the raw output', async () => {
    const replies: Record<string, string> = {
      'question 0': 'Potassium-sparing... Final Answer: A',
      'question 1': 'Loop diuretic.\nFinal Answer: **B**',
      'question 2': 'I cannot answer that.',
      'question 3': 'The answer is (A).',
    };
    const model = fakeModel('fake:cot', { reply: (question) => replies[question] ?? '' });
    const progress: number[] = [];
    const result = await evaluate({
      model,
      items: items.slice(0, 4),
      mode: 'cot',
      concurrency: 2,
      onProgress: ({ done }) => progress.push(done),
    });
    expect(result.predictions.map((prediction) => prediction.prediction)).toEqual(['A', 'B', null, 'A']);
    expect(result.predictions.map((prediction) => prediction.correct)).toEqual([true, true, false, false]);
    expect(result.summary).toMatchObject({ n: 4, correct: 2, unanswered: 1, failed: 0 });
    expect(result.predictions[2]?.rawOutput).toBe('I cannot answer that.');
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(result.summary.accNorm).toBeUndefined();
  });

  it('keeps at most `concurrency` calls in flight and preserves item order', async () => {
    let highest = 0;
    const model = fakeModel('fake:pool', {
      reply: (question) => `Final Answer: ${answerOf.get(question)}`,
      onCall: (inFlight) => {
        highest = Math.max(highest, inFlight);
      },
    });
    const result = await evaluate({ model, items, mode: 'cot', concurrency: 3 });
    expect(highest).toBe(3);
    expect(result.summary.correct).toBe(12);
    expect(result.predictions.map((prediction) => prediction.id)).toEqual(items.map((item) => item.id));
  });

  it('throws AbortedError when the signal fires mid-run', async () => {
    const controller = new AbortController();
    const model = fakeModel('fake:abort', { reply: () => 'Final Answer: A' });
    const run = evaluate({
      model,
      items,
      mode: 'cot',
      signal: controller.signal,
      onProgress: ({ done }) => {
        if (done === 3) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortedError' });
  });

  it('refuses open-ended items and duplicate ids', async () => {
    const model = fakeModel('fake:config', {});
    const openEnded: Item = { kind: 'open-ended', id: 'o1', question: 'q', referenceAnswer: 'r' };
    await expect(evaluate({ model, items: [openEnded], mode: 'cot' })).rejects.toThrow(/open-ended/);
    await expect(evaluate({ model, items: [items[0]!, items[0]!], mode: 'cot' })).rejects.toThrow(
      /occurs twice/,
    );
    await expect(evaluate({ model, items, mode: 'judge' })).rejects.toThrow(/judge/);
  });
});
