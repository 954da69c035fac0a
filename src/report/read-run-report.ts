import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import { type RunReport, type RunReportInput, runReportSchema } from './run-report.js';

function describeIssues(issues: readonly z.core.$ZodIssue[]): { message: string; field: string } {
  const first = issues[0];
  const field = first ? first.path.map(String).join('.') : '';
  const listed = issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  return { message: `not a valid run report: ${listed.join('; ')}${more}`, field };
}

/** Validate a value as a RunReport; problems are an InputError naming the file and the first bad field. */
export function parseRunReport(value: unknown, file: string): RunReport {
  // A run directory's results.json carries the report under `report`, beside the run's own numbers.
  const candidate =
    value !== null && typeof value === 'object' && !('schemaVersion' in value) && 'report' in value
      ? value.report
      : value;
  const parsed = runReportSchema.safeParse(candidate);
  if (!parsed.success) {
    const { message, field } = describeIssues(parsed.error.issues);
    throw new InputError(message, field ? { file, field } : { file });
  }
  return parsed.data;
}

/** Read and validate `<run-dir>/results.json` (or any RunReport file). */
export async function readRunReport(path: string): Promise<RunReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(
      `cannot read run report: ${error instanceof Error ? error.message : String(error)}`,
      { file: path },
      { cause: error },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `run report is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      { file: path },
      { cause: error },
    );
  }
  return parseRunReport(value, path);
}

/** Validate and write a run report atomically, so a reader never sees half a file. */
export async function writeRunReport(path: string, report: RunReportInput): Promise<RunReport> {
  const validated = parseRunReport(report, path);
  await writeFileAtomically(path, `${JSON.stringify(validated, null, 2)}\n`);
  return validated;
}
