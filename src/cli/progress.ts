/**
 * A single-line progress display on a terminal (redrawn in place), or nothing when stderr is not
 * a terminal; long jobs call `update` freely and it redraws at most every 100 ms.
 */
export class ProgressLine {
  private lastDraw = 0;
  private lastText = '';
  private readonly enabled: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = Boolean(stream.isTTY) && !process.env.CI;
  }

  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = this.stream.columns ?? 100;
    this.lastText = text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
    this.stream.write(`\r\x1b[2K${this.lastText}`);
  }

  /** Leave the current line as a permanent log line (or print it when not a terminal). */
  log(text: string): void {
    if (this.enabled) this.stream.write(`\r\x1b[2K${text}\n${this.lastText}`);
    else this.stream.write(`${text}\n`);
  }

  done(): void {
    if (this.enabled && this.lastText) this.stream.write('\r\x1b[2K');
    this.lastText = '';
  }
}

export function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}
