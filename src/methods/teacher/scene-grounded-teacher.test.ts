import { describe, expect, it } from 'vitest';
import { buildImagingBenchmark } from '../../benchmark/imaging/generate-imaging.js';
import { SceneTeacher } from '../../benchmark/imaging/scene-teacher.js';
import { extractAnswer } from '../../eval/extract-answer.js';
import { SceneGroundedTeacher } from './scene-grounded-teacher.js';
import { TeacherReplyError } from './teacher.js';

const benchmark = buildImagingBenchmark({ imageDirectory: '/images', seed: 4 });
const teacher = new SceneGroundedTeacher(new SceneTeacher(benchmark.knowledgeBase), { seed: 4 });

describe('scene-grounded teacher', () => {
  it('answers every film by the knowledge base, whatever the label says', async () => {
    for (const item of benchmark.train)
      expect(await teacher.answer(item)).toBe(benchmark.truth.get(item.id)!.correctKey);
  });

  it('ends a chain-of-thought in the answer line students are trained on, and samples slip', async () => {
    const item = benchmark.test[0]!;
    const chain = await teacher.rationale(item, 'chain-of-thought');
    expect(chain).toMatch(/^Finding : .* Condition : .* Management : .*\nAnswer: /);
    expect(extractAnswer(chain, item)).toBe(item.answerKey);
    const sampled = await Promise.all(
      benchmark.train.map((entry) => teacher.rationale(entry, 'chain-of-thought', { sample: 0 })),
    );
    const wrong = sampled.filter(
      (reply, index) =>
        extractAnswer(reply, benchmark.train[index]!) !==
        benchmark.truth.get(benchmark.train[index]!.id)!.correctKey,
    );
    expect(wrong.length).toBeGreaterThan(0);
  });

  it('fails an item it cannot read instead of guessing', async () => {
    const { caption: _caption, ...blind } = benchmark.test[0]!;
    await expect(teacher.rationale(blind, 'chain-of-thought')).rejects.toThrow(TeacherReplyError);
  });
});
