/** The CLI's only writers: results on stdout, progress and messages on stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function printError(text: string): void {
  process.stderr.write(`${text}\n`);
}

export const formatCount = (value: number): string => value.toLocaleString('en-US');
