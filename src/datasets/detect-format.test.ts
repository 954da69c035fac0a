import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures/datasets/paths.js';
import { classifyKeys, detectFormat } from './detect-format.js';

describe('detectFormat', () => {
  it.each([
    ['medqa_test.jsonl', 'medqa'],
    ['medmcqa_original_dev.jsonl', 'medmcqa'],
    ['anatomy_test.csv', 'mmlu'],
    ['medthink_conversations.json', 'conversations'],
    ['chat_messages_train.jsonl', 'openai-messages'],
    ['pmc_vqa/test_clean.csv', 'pmc-vqa'],
    ['vqa_rad_mini', 'vqa-rad'],
    ['vqa_rad_mini/VQA_RAD Dataset Public.json', 'vqa-rad'],
    ['pubmedqa_mini', 'pubmedqa'],
    ['pubmedqa_mini/ori_pqal.json', 'pubmedqa'],
    ['generic_questions.csv', 'generic'],
    ['generic_open.jsonl', 'generic'],
  ])('%s is %s', async (path, format) => {
    expect(await detectFormat(fixture(path))).toBe(format);
  });

  it('tells the two MedMCQA layouts and medistill items apart by their fields', () => {
    expect(classifyKeys(new Set(['question', 'options', 'answer_idx', 'realidx']))).toBe('medmcqa');
    expect(classifyKeys(new Set(['question', 'options', 'answer_idx', 'meta_info']))).toBe('medqa');
    expect(classifyKeys(new Set(['kind', 'id', 'question', 'options', 'answerKey']))).toBe('medistill-items');
  });

  it('refuses unknown file types and folders of no known dataset', async () => {
    await expect(detectFormat(fixture('paths.ts'))).rejects.toThrow(/unknown file type/);
    await expect(detectFormat(fixture('images'))).rejects.toThrow(/folder/);
  });
});
