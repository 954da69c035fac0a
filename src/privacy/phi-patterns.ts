/**
 * Identifier patterns in the spirit of the HIPAA Safe Harbor list (45 CFR 164.514(b)(2)): the
 * kinds a clinical note most often carries. Pattern-based, so a safety net, not de-identification:
 * a name with no honorific or label, a date written in words, or an identifier in an unusual
 * format passes unseen (docs/privacy.md says so to users).
 */
export const phiKinds = [
  'name',
  'date',
  'phone',
  'fax',
  'email',
  'url',
  'ip-address',
  'record-number',
  'age-over-89',
  'postal-code',
] as const;
export type PhiKind = (typeof phiKinds)[number];

export interface PhiPattern {
  kind: PhiKind;
  /** Global regex; when it has a group named `value`, that group is the identifier's span. */
  pattern: RegExp;
}

const month =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const capitalised = "(?:[A-Z]['’][A-Z][a-z]+|[A-Z][a-z]+(?:-[A-Z][a-z]+)?)";
const fullName = `${capitalised}(?:\\s+[A-Z]\\.)?(?:\\s+${capitalised})?`;
const phoneNumber = String.raw`(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}|\+\d{1,3}(?:[\s.-]\d{2,4}){3,4}`;
const recordLabel = [
  'MRN',
  'medical record(?: number| no\\.?| #)?',
  'record (?:no\\.?|number|#)',
  'hospital (?:no\\.?|number|#)',
  'patient (?:id|no\\.?|number|#)',
  'account(?: number| no\\.?| #)?',
  'acct\\.?(?: no\\.?| #)?',
  'member (?:id|number|no\\.?)',
  'policy (?:id|number|no\\.?|#)',
  'insurance(?: id| number| no\\.?| #)',
  'subscriber (?:id|number)',
  'health plan (?:id|number)',
  'beneficiary (?:id|number)',
  'SSN',
  'social security(?: number| no\\.?)?',
  'licen[cs]e (?:no\\.?|number|#)',
  'NHS (?:no\\.?|number)',
].join('|');

/** Two-letter US state and territory codes, so "EN 13727" (a standard) is not a ZIP code. */
const usStates =
  'A[KLRSZ]|C[AOT]|D[CE]|FL|G[AU]|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|P[AR]|RI|S[CD]|T[NX]|UT|V[AIT]|W[AIVY]';
/** An age of 90 to 119, not the end of a range ("range 31-92 years") nor part of a decimal. */
const oldAge = String.raw`(?<![\d.]|[-–]\s*|\bto\s+)(?:9\d|1[01]\d)(?![\d.]\d)`;

/** Most specific first: where two patterns claim the same characters, the first wins. */
export const phiPatterns: readonly PhiPattern[] = [
  { kind: 'email', pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g },
  { kind: 'url', pattern: /\b(?:https?:\/\/|www\.)[^\s<>"')\]]+[^\s<>"')\].,;:]/gi },
  {
    // Not after "EC": enzyme numbers (EC 3.1.1.11) have the same shape.
    kind: 'ip-address',
    pattern:
      /(?<![\d.]|EC\s?)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)/g,
  },
  {
    kind: 'fax',
    pattern: new RegExp(
      String.raw`\bfax(?:\s+(?:no\.?|number|#))?\s*[:#]?\s*(?<value>${phoneNumber})(?!\d)`,
      'gi',
    ),
  },
  { kind: 'phone', pattern: new RegExp(String.raw`(?<![\d-])(?:${phoneNumber})(?![\d-])`, 'g') },
  {
    kind: 'record-number',
    pattern: new RegExp(
      String.raw`\b(?:${recordLabel})\s*(?:is\s+|was\s+)?[:#.]?\s*(?<value>[A-Z]{0,4}[-#]?\d[A-Z0-9-]{3,})`,
      'gi',
    ),
  },
  { kind: 'record-number', pattern: /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g },
  {
    kind: 'age-over-89',
    pattern: new RegExp(
      String.raw`\b(?:aged?|age of)\s*:?\s*(?<value>${oldAge})\b|(?<value2>${oldAge})(?:\s*|-)(?:years?|yrs?|y)(?:\s*|-)(?:old|of age)?\b|(?<value3>${oldAge})\s*(?:yo|y\/o|y\.o\.)(?![a-z])`,
      'gi',
    ),
  },
  {
    // One separator throughout, so "9.7/10" and "3-3.65" are not dates.
    kind: 'date',
    pattern:
      /(?<![\d/.-])(?:\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})|(?:19|20)\d{2}([/.-])\d{1,2}\2\d{1,2})(?![\d/-]|\.\d)/g,
  },
  {
    kind: 'date',
    pattern: new RegExp(
      String.raw`\b(?:${month}\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d{2})?|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${month}\.?(?:,?\s+(?:19|20)\d{2})?|${month}\.?,?\s+(?:19|20)\d{2})\b`,
      'g',
    ),
  },
  {
    kind: 'postal-code',
    pattern:
      /\b(?:zip(?: code)?|postal code|post ?code)\s*:?\s*(?<value>\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b/gi,
  },
  {
    kind: 'postal-code',
    pattern: new RegExp(
      String.raw`\b(?:${usStates})\s+(?<value>\d{5}(?:-\d{4})?)(?![\d-])|(?<![\d-])(?<value2>\d{5}-\d{4})(?![\d-])|\b(?<value3>[A-Z]{1,2}\d[A-Z\d]?\s\d[ABD-HJLNP-UW-Z]{2})\b`,
      'g',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(String.raw`\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+(?<value>${fullName})`, 'g'),
  },
  {
    // A label and a colon: "Patient: Maria Lopez", "Next of kin: ...". Without the colon,
    // "Patient Health Questionnaire" would be a name.
    kind: 'name',
    pattern: new RegExp(
      String.raw`\b(?:[Pp]atient(?: name)?|[Nn]ame|[Pp]t|[Ss]een by|[Aa]ttending(?: physician)?|[Rr]eferring (?:physician|doctor)|[Ss]igned by|[Nn]ext of kin|[Ee]mergency contact|[Gg]uardian)\s*:\s*(?<value>${fullName})`,
      'g',
    ),
  },
];
