import type { PhiKind } from '../../src/privacy/phi-patterns.js';
import { seededRandom } from '../../src/util/seeded-random.js';

/** An identifier planted in a synthetic note, with where it is. */
export interface PlantedIdentifier {
  kind: PhiKind;
  start: number;
  end: number;
  text: string;
  /** A form the patterns are not expected to catch (kept in, so recall is not flattered). */
  hard: boolean;
}

export interface SyntheticNote {
  id: string;
  text: string;
  planted: PlantedIdentifier[];
}

const firstNames = ['John', 'Maria', 'Wei', 'Aisha', 'Olga', 'Pedro', 'Hannah', 'Kofi', 'Sven', 'Priya'];
const lastNames = [
  'Smith',
  'Lopez',
  'Chen',
  'Okafor',
  'Ivanova',
  'Silva',
  'Becker',
  "O'Neil",
  'Nakamura',
  'Haddad',
];
const months = ['January', 'March', 'June', 'September', 'November', 'Feb', 'Aug', 'Dec'];

type Random = () => number;
type Part = string | { kind: PhiKind; text: string; hard?: boolean };

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const digits = (random: Random, count: number): string =>
  Array.from({ length: count }, () => String(Math.floor(random() * 10))).join('');
const between = (random: Random, low: number, high: number): number =>
  low + Math.floor(random() * (high - low + 1));

/** Sentences with one planted identifier each, several spellings per kind. */
const plantedSentences: ((random: Random) => Part[])[] = [
  (r) => [
    'Mr. ',
    { kind: 'name', text: `${pick(r, firstNames)} ${pick(r, lastNames)}` },
    ' presented with epigastric pain.',
  ],
  (r) => ['Mrs. ', { kind: 'name', text: pick(r, lastNames) }, ' reports two days of fever.'],
  (r) => ['Patient: ', { kind: 'name', text: `${pick(r, firstNames)} ${pick(r, lastNames)}` }, '.'],
  (r) => ['Reviewed with Dr. ', { kind: 'name', text: pick(r, lastNames) }, ' from gastroenterology.'],
  (r) => ['Seen by: ', { kind: 'name', text: `${pick(r, firstNames)} ${pick(r, lastNames)}` }, '.'],
  (r) => [
    { kind: 'name', text: `${pick(r, firstNames)} ${pick(r, lastNames)}`, hard: true },
    ' was brought in by ambulance.',
  ],
  (r) => [
    'Admitted on ',
    { kind: 'date', text: `${between(r, 1, 12)}/${between(r, 1, 28)}/20${between(r, 10, 24)}` },
    '.',
  ],
  (r) => [
    'Endoscopy on ',
    { kind: 'date', text: `20${between(r, 10, 24)}-0${between(r, 1, 9)}-${between(r, 10, 28)}` },
    ' showed ulceration.',
  ],
  (r) => [
    'Discharged ',
    { kind: 'date', text: `${pick(r, months)} ${between(r, 1, 28)}, 20${between(r, 10, 24)}` },
    '.',
  ],
  (r) => [
    'Symptoms began ',
    { kind: 'date', text: `${between(r, 1, 28)} ${pick(r, months)} 20${between(r, 10, 24)}` },
    '.',
  ],
  (r) => ['Last colonoscopy ', { kind: 'date', text: `${pick(r, months)} 20${between(r, 10, 24)}` }, '.'],
  (r) => [
    'Surgery was on the ',
    { kind: 'date', text: `${pick(r, ['third', 'ninth', 'twentieth'])} of ${pick(r, months)}`, hard: true },
    '.',
  ],
  (r) => ['Contact ', { kind: 'phone', text: `(${digits(r, 3)}) 555-${digits(r, 4)}` }, ' for results.'],
  (r) => ['Home phone ', { kind: 'phone', text: `${digits(r, 3)}-555-${digits(r, 4)}` }, '.'],
  (r) => ['Mobile ', { kind: 'phone', text: `${digits(r, 3)}.555.${digits(r, 4)}` }, '.'],
  (r) => ['Daughter reachable at ', { kind: 'phone', text: `+44 20 ${digits(r, 4)} ${digits(r, 4)}` }, '.'],
  (r) => ['Fax: ', { kind: 'fax', text: `${digits(r, 3)}-555-${digits(r, 4)}` }, '.'],
  (r) => ['Send records by fax ', { kind: 'fax', text: `(${digits(r, 3)}) 555-${digits(r, 4)}` }, '.'],
  (r) => [
    'Email ',
    { kind: 'email', text: `${pick(r, firstNames).toLowerCase()}.${digits(r, 2)}@clinic.example` },
    ' with questions.',
  ],
  (r) => ['Portal: ', { kind: 'url', text: `https://portal.clinic.example/p/${digits(r, 5)}` }, '.'],
  (r) => ['Images at ', { kind: 'url', text: `www.imaging.example/study/${digits(r, 6)}` }, '.'],
  (r) => [
    'Device at ',
    { kind: 'ip-address', text: `127.${between(r, 0, 255)}.${between(r, 0, 255)}.${between(r, 1, 254)}` },
    ' sent the telemetry.',
  ],
  (r) => ['MRN: ', { kind: 'record-number', text: digits(r, 7) }, '.'],
  (r) => ['Medical record number ', { kind: 'record-number', text: `A-${digits(r, 7)}` }, '.'],
  (r) => ['Account no. ', { kind: 'record-number', text: `${digits(r, 5)}-${digits(r, 2)}` }, '.'],
  (r) => ['Insurance ID: ', { kind: 'record-number', text: `XK${digits(r, 7)}` }, '.'],
  (r) => ['Member ID ', { kind: 'record-number', text: `W${digits(r, 8)}` }, ' on file.'],
  (r) => ['SSN ', { kind: 'record-number', text: `${digits(r, 3)}-${digits(r, 2)}-${digits(r, 4)}` }, '.'],
  (r) => ['Chart ', { kind: 'record-number', text: `${digits(r, 8)}`, hard: true }, ' reviewed.'],
  (r) => ['A ', { kind: 'age-over-89', text: `${between(r, 90, 104)}-year-old` }, ' woman with jaundice.'],
  (r) => ['She is aged ', { kind: 'age-over-89', text: String(between(r, 90, 104)) }, '.'],
  (r) => ['', { kind: 'age-over-89', text: `${between(r, 90, 104)} y/o` }, ' male, nursing home resident.'],
  (r) => ['Lives in Boston, MA ', { kind: 'postal-code', text: `0${digits(r, 4)}` }, '.'],
  (r) => ['ZIP ', { kind: 'postal-code', text: `${digits(r, 5)}` }, '.'],
  (r) => [
    'Address postcode ',
    { kind: 'postal-code', text: `SW${between(r, 1, 9)}A ${between(r, 1, 9)}AB` },
    '.',
  ],
  (r) => ['Mail to box ', { kind: 'postal-code', text: `${digits(r, 5)}-${digits(r, 4)}` }, '.'],
];

/** Clinical text that looks like identifiers to a careless pattern: none of it is one. */
const distractorSentences: ((random: Random) => string)[] = [
  (r) => `BP ${between(r, 100, 160)}/${between(r, 60, 100)} mmHg, HR ${between(r, 60, 120)} bpm.`,
  (r) => `Hb ${between(r, 8, 16)}.${between(r, 0, 9)} g/dL, platelets ${between(r, 100, 450)}000/uL.`,
  (r) => `A ${between(r, 20, 89)}-year-old man with ${pick(r, ['cirrhosis', 'GERD', 'gallstones'])}.`,
  (r) => `Aged ${between(r, 18, 89)}, non-smoker.`,
  (r) => `Diagnosed with Crohn disease in ${between(r, 1990, 2024)}.`,
  (r) => `Started omeprazole ${pick(r, ['20', '40'])} mg daily and ursodiol ${between(r, 250, 1000)} mg.`,
  (r) => `ICD-10 K${between(r, 20, 95)}.${between(r, 0, 9)}; NYHA class ${pick(r, ['II', 'III'])}.`,
  () => 'pH 7.32, INR 1.1, lactate 2.4 mmol/L.',
  (r) => `Troponin 0.0${between(r, 1, 9)} ng/mL; HbA1c ${between(r, 5, 9)}.${between(r, 0, 9)}%.`,
  (r) => `Follow-up in ${between(r, 2, 6)} weeks; Apgar ${between(r, 7, 9)}/${between(r, 8, 10)}.`,
  (r) =>
    `SpO2 ${between(r, 90, 99)}% on ${between(r, 1, 4)} L; temperature ${between(r, 36, 39)}.${between(r, 0, 9)} C.`,
  (r) => `Infused ${between(r, 90, 120)} mL over ${between(r, 90, 119)} minutes.`,
  (r) => `CD4 count ${between(r, 100, 900)} cells/uL; viral load ${between(r, 10000, 99999)} copies/mL.`,
  () => 'Parkinson disease and Wilson disease were excluded; Murphy sign negative.',
  (r) => `GCS ${between(r, 3, 15)}/15, day ${between(r, 1, 9)} of admission.`,
  (r) => `Tumour stage T${between(r, 1, 4)}N${between(r, 0, 2)}M0; ${between(r, 5, 95)}% five-year survival.`,
];

/**
 * Synthetic clinical notes with planted identifiers at known spans, and distractors (vitals, labs,
 * doses, years, ages under 90) that must not be flagged. Seeded: the same seed gives the same notes.
 * The sentences were written beside the patterns, so recall here is an upper bound on recall on
 * real notes; the `hard` forms mark what the patterns are known to miss.
 */
export function syntheticPhiNotes(count: number, seed = 1): SyntheticNote[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_unused, index) => {
    const parts: Part[] = [];
    const sentences: Part[][] = [];
    for (let n = between(random, 2, 5); n > 0; n -= 1) sentences.push(pick(random, plantedSentences)(random));
    for (let n = between(random, 3, 6); n > 0; n -= 1)
      sentences.push([pick(random, distractorSentences)(random)]);
    sentences.sort(() => random() - 0.5);
    for (const sentence of sentences) parts.push(...sentence, ' ');
    let text = '';
    const planted: PlantedIdentifier[] = [];
    for (const part of parts) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      planted.push({
        kind: part.kind,
        start: text.length,
        end: text.length + part.text.length,
        text: part.text,
        hard: part.hard ?? false,
      });
      text += part.text;
    }
    return { id: `note-${index + 1}`, text: text.trim(), planted };
  });
}
