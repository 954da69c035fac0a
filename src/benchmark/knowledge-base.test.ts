import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { benchmarkWords } from './corpus.js';
import { hepatobiliaryConditions } from './knowledge/hepatobiliary-conditions.js';
import { luminalConditions } from './knowledge/luminal-conditions.js';
import { defaultKnowledgeBase, KnowledgeBase } from './knowledge-base.js';

const knowledgeBase = defaultKnowledgeBase();
const definitions = [...hepatobiliaryConditions, ...luminalConditions];

describe('the default knowledge base', () => {
  it('holds at least 40 conditions with findings, investigation and management', () => {
    expect(knowledgeBase.conditions.length).toBeGreaterThanOrEqual(40);
    for (const condition of knowledgeBase.conditions) {
      expect(condition.findings.length).toBeGreaterThanOrEqual(4);
      expect(condition.keyInvestigation).not.toBe('');
      expect(condition.management).not.toBe('');
    }
  });

  it('shares every finding between at least two conditions, so one finding alone is ambiguous', () => {
    const unshared = knowledgeBase.findings.filter(
      (finding) => knowledgeBase.conditionsWithFinding(finding).length < 2,
    );
    expect(unshared).toEqual([]);
  });

  it('gives every condition at least six identifying pairs that together name each of its findings', () => {
    for (const condition of knowledgeBase.conditions) {
      const pairs = knowledgeBase.identifyingPairs(condition.id);
      expect(pairs.length, condition.name).toBeGreaterThanOrEqual(6);
      for (const pair of pairs) expect(knowledgeBase.conditionsWithAllFindings(pair)).toEqual([condition]);
      const named = new Set(pairs.flat());
      expect([...named].sort(), condition.name).toEqual([...condition.findings].sort());
    }
  });

  it('never lets two conditions share three findings (their pairs would all be ambiguous)', () => {
    for (const condition of knowledgeBase.conditions) {
      for (const lookAlike of knowledgeBase.lookAlikes(condition.id)) {
        expect(
          lookAlike.sharedFindings.length,
          `${condition.name} / ${lookAlike.condition.name}`,
        ).toBeLessThanOrEqual(2);
      }
    }
  });

  it('keeps managements unique, and none inside another (answers are read back from text)', () => {
    const managements = knowledgeBase.conditions.map((condition) => condition.management.toLowerCase());
    expect(new Set(managements).size).toBe(managements.length);
    for (const management of managements) {
      expect(managements.filter((other) => other !== management && other.includes(management))).toEqual([]);
    }
  });

  it('writes findings as short phrases, none a sub-phrase of another', () => {
    for (const finding of knowledgeBase.findings) {
      expect(benchmarkWords(finding).length).toBeLessThanOrEqual(4);
      const others = knowledgeBase.findings.filter((other) => other !== finding);
      expect(others.filter((other) => ` ${other} `.includes(` ${finding} `))).toEqual([]);
    }
  });

  it('keeps hallmarks distinctive: each names one condition and is not a vignette finding', () => {
    const hallmarks = knowledgeBase.conditions.flatMap((condition) => condition.hallmarks);
    expect(new Set(hallmarks).size).toBe(hallmarks.length);
    for (const hallmark of hallmarks) expect(knowledgeBase.findings).not.toContain(hallmark);
  });

  it('states the textbook facts the benchmark is built on', () => {
    const byName = (name: string) => {
      const found = knowledgeBase.conditions.find((condition) => condition.name === name);
      if (!found) throw new Error(`missing ${name}`);
      return found;
    };
    const cholangitis = byName('acute cholangitis');
    expect(cholangitis.findings).toEqual(
      expect.arrayContaining(['fever with rigors', 'obstructive jaundice', 'RUQ pain']),
    );
    expect(cholangitis.management).toBe('ERCP drainage and antibiotics');
    expect(byName('Wilson disease').hallmarks).toEqual(['Kayser-Fleischer rings', 'low serum ceruloplasmin']);
    expect(byName('Wilson disease').management).toBe('penicillamine or trientine');
    expect(byName('autoimmune hepatitis').hallmarks).toContain('anti smooth muscle antibodies');
    expect(byName('autoimmune hepatitis').management).toBe('prednisolone and azathioprine');
    expect(byName('Helicobacter pylori duodenal ulcer').management).toBe('PPI triple therapy');
    expect(byName('paracetamol overdose').management).toBe('N-acetylcysteine infusion');
    expect(byName('celiac disease').management).toBe('strict gluten-free diet');
  });

  it('derives look-alikes with the findings that tell them apart', () => {
    const lookAlikes = knowledgeBase.lookAlikes('acute-cholangitis');
    const abscess = lookAlikes.find((lookAlike) => lookAlike.condition.id === 'pyogenic-liver-abscess');
    expect(abscess?.sharedFindings).toEqual(['fever with rigors']);
    expect(abscess?.distinguishingFindings).toContain('obstructive jaundice');
    expect(abscess?.distinguishingFindings).not.toContain('fever with rigors');
  });

  it('reads whole findings from a text, case-insensitively and in order', () => {
    const text = 'A 45-year-old man presents with Obstructive Jaundice and fever with rigors .';
    expect(knowledgeBase.findingsIn(text)).toEqual(['obstructive jaundice', 'fever with rigors']);
    expect(knowledgeBase.findingsIn('severe pain radiating to the back')).toEqual([]);
  });

  it('keeps only the chosen conditions in a subset', () => {
    const subset = knowledgeBase.subset(['acute-cholangitis', 'choledocholithiasis']);
    expect(subset.conditions.map((condition) => condition.id)).toEqual([
      'acute-cholangitis',
      'choledocholithiasis',
    ]);
    expect(subset.conditionsWithFinding('fever with rigors').map((condition) => condition.id)).toEqual([
      'acute-cholangitis',
    ]);
  });
});

describe('KnowledgeBase.fromDefinitions', () => {
  const first = definitions[0];
  const second = definitions[1];
  if (!first || !second) throw new Error('knowledge base is empty');

  it('names the condition and field of a schema error', () => {
    const broken = [first, { ...second, findings: ['a finding with far too many words', 'b', 'c', 'd'] }];
    expect(() => KnowledgeBase.fromDefinitions(broken, 'kb.json')).toThrow(InputError);
    expect(() => KnowledgeBase.fromDefinitions(broken, 'kb.json')).toThrow(
      /kb\.json.*conditions\[1\]\.findings\[0\]/,
    );
  });

  it('rejects a management used twice', () => {
    const duplicated = [first, { ...second, management: first.management }];
    expect(() => KnowledgeBase.fromDefinitions(duplicated)).toThrow(
      /conditions\[1\]\.management.*duplicate management/,
    );
  });

  it('rejects unknown fields (the knowledge base is strict data)', () => {
    expect(() => KnowledgeBase.fromDefinitions([first, { ...second, treatment: 'x' }])).toThrow(InputError);
  });
});
