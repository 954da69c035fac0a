import { describe, expect, it } from 'vitest';
import { scorePhiScan } from '../../bench/phi-scan.js';
import { hasSharedData, sharedDataPath } from '../../test/support/paths.js';
import type { Item } from '../datasets/item.js';
import { phiKinds } from './phi-patterns.js';
import { scanItems, scanText } from './phi-scan.js';
import { runPhiScan } from './run-phi-scan.js';

const kindsIn = (text: string) => scanText(text).map((match) => `${match.kind}:${match.text}`);

describe('scanText', () => {
  it('finds each kind in a note, reporting the identifier itself', () => {
    expect(
      kindsIn(
        'Mr. John Smith, a 92-year-old man (MRN: 4839201), seen 03/14/2021 by Dr. Alice Brown. ' +
          'Call (617) 555-0147, fax: 617-555-0199, jsmith@clinic.example, https://portal.clinic.example/x. ' +
          'Lives in Boston, MA 02115. Device 127.0.0.9. Admitted March 3, 2020. Patient: Maria Lopez.',
      ),
    ).toEqual([
      'name:John Smith',
      'age-over-89:92',
      'record-number:4839201',
      'date:03/14/2021',
      'name:Alice Brown',
      'phone:(617) 555-0147',
      'fax:617-555-0199',
      'email:jsmith@clinic.example',
      'url:https://portal.clinic.example/x',
      'postal-code:02115',
      'ip-address:127.0.0.9',
      'date:March 3, 2020',
      'name:Maria Lopez',
    ]);
  });

  it('leaves clinical numbers alone (shapes that flagged real abstracts during development)', () => {
    for (const text of [
      'BP 120/80 mmHg, Hb 11.2 g/dL, platelets 150000/uL, aged 45 years, diagnosed in 2019.',
      'Scores of 9.7/10 and ratios of 3-3.65 or 0.8-25.',
      'The Patient Health Questionnaire (PHQ-9) and the Patient Activation Measure.',
      'Adapted from the NF EN 13727 standard; pectin methylesterase (EC 3.1.1.11).',
      'Ages ranged from 18-100 years of age (range 31-92 years; 15 to 93 years); 44.07 ± 11.91 years.',
    ]) {
      expect(kindsIn(text), text).toEqual([]);
    }
  });
});

describe('the scan on synthetic notes with planted identifiers', () => {
  it('finds every planted identifier in a form it is built for, and flags nothing else', () => {
    const scores = scorePhiScan(300, 7);
    for (const kind of phiKinds) {
      const score = scores[kind];
      expect(score.planted, kind).toBeGreaterThan(0);
      // Misses are exactly the planted `hard` forms (bare names, dates in words, unlabelled numbers).
      expect(score.found, kind).toBe(score.planted - score.hardPlanted);
      expect(score.falsePositives, kind).toBe(0);
    }
  });
});

describe('scanItems', () => {
  it('reports findings by item and field', () => {
    const items: Item[] = [
      {
        kind: 'multiple-choice',
        id: 'q1',
        question: 'Mrs. Chen, aged 93, asks about her MRN: 00482913.',
        options: [
          { key: 'A', text: 'Call 617-555-0101' },
          { key: 'B', text: 'Nothing' },
        ],
        answerKey: 'B',
      },
      {
        kind: 'open-ended',
        id: 'q2',
        question: 'What treats Wilson disease?',
        referenceAnswer: 'penicillamine',
      },
    ];
    const report = scanItems(items);
    expect(report.itemsFlagged).toBe(1);
    expect(report.findings.map((finding) => [finding.itemId, finding.field, finding.kind])).toEqual([
      ['q1', 'question', 'name'],
      ['q1', 'question', 'age-over-89'],
      ['q1', 'question', 'record-number'],
      ['q1', 'options.A', 'phone'],
    ]);
    expect(report.byKind.phone).toBe(1);
  });
});

describe.runIf(hasSharedData)('the scan on the public datasets', () => {
  it('finds few likely identifiers, and none in VQA-RAD', async () => {
    const medmcqa = await runPhiScan({
      path: sharedDataPath('medmcqa', 'medagentsbench_medmcqa_test.jsonl'),
    });
    const pubmedqa = await runPhiScan({ path: sharedDataPath('pubmedqa', 'ori_pqal.json') });
    const vqaRad = await runPhiScan({ path: sharedDataPath('vqa_rad', 'VQA_RAD Dataset Public.json') });
    // MedMCQA: 19 of 2816 items, exam questions naming a month and year ("in March 2013").
    expect(medmcqa.itemsFlagged / medmcqa.itemsScanned).toBeLessThan(0.01);
    // PubMedQA abstracts give study periods ("from March 2007 to January 2011"): dates by the
    // Safe Harbor rule, though not about one patient.
    expect(pubmedqa.itemsFlagged / pubmedqa.itemsScanned).toBeLessThan(0.2);
    expect(pubmedqa.findings.filter((finding) => finding.kind !== 'date').length).toBeLessThan(5);
    expect(vqaRad.findings).toEqual([]);
  });
});
