/**
 * Recall and precision of the identifier scan (src/privacy/phi-scan.ts) on synthetic notes with
 * planted identifiers, per kind.
 *
 *   npx tsx bench/phi-scan.ts [--notes 2000] [--seed 1]
 *
 * A planted identifier counts as found when a finding of the same kind overlaps it; a finding that
 * overlaps no planted identifier of its kind is a false positive. The notes were written beside
 * the patterns, so these figures are an upper bound; `hard` forms (a bare name, a date in words,
 * an unlabelled chart number) are planted on purpose and show what the scan misses.
 */
import { type PhiKind, phiKinds } from '../src/privacy/phi-patterns.js';
import { scanText } from '../src/privacy/phi-scan.js';
import { syntheticPhiNotes } from '../test/support/synthetic-phi-notes.js';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};

export interface KindScore {
  planted: number;
  found: number;
  flagged: number;
  falsePositives: number;
  hardPlanted: number;
  hardFound: number;
}

/** Scores the scan on `count` notes; exported for the test that keeps the figures honest. */
export function scorePhiScan(count: number, seed: number): Record<PhiKind | 'all', KindScore> {
  const empty = (): KindScore => ({
    planted: 0,
    found: 0,
    flagged: 0,
    falsePositives: 0,
    hardPlanted: 0,
    hardFound: 0,
  });
  const scores = Object.fromEntries([...phiKinds, 'all'].map((kind) => [kind, empty()])) as Record<
    PhiKind | 'all',
    KindScore
  >;
  for (const note of syntheticPhiNotes(count, seed)) {
    const matches = scanText(note.text);
    for (const planted of note.planted) {
      const found = matches.some(
        (match) => match.kind === planted.kind && match.start < planted.end && planted.start < match.end,
      );
      for (const score of [scores[planted.kind], scores.all]) {
        score.planted += 1;
        if (found) score.found += 1;
        if (planted.hard) {
          score.hardPlanted += 1;
          if (found) score.hardFound += 1;
        }
      }
    }
    for (const match of matches) {
      const right = note.planted.some(
        (planted) => planted.kind === match.kind && match.start < planted.end && planted.start < match.end,
      );
      for (const score of [scores[match.kind], scores.all]) {
        score.flagged += 1;
        if (!right) score.falsePositives += 1;
      }
    }
  }
  return scores;
}

const percent = (part: number, whole: number) =>
  whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = argument('notes', 2000);
  const seed = argument('seed', 1);
  const scores = scorePhiScan(count, seed);
  console.log(`identifier scan on ${count} synthetic notes (seed ${seed})`);
  console.log('| kind | planted | found | recall | flagged | false pos. | precision | hard found |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [kind, score] of Object.entries(scores)) {
    console.log(
      `| ${kind} | ${score.planted} | ${score.found} | ${percent(score.found, score.planted)} | ${score.flagged} | ` +
        `${score.falsePositives} | ${percent(score.flagged - score.falsePositives, score.flagged)} | ` +
        `${score.hardFound}/${score.hardPlanted} |`,
    );
  }
}
