import { readFileSync } from 'node:fs';

/**
 * When a process started, in clock ticks since boot, from `/proc/<pid>/stat` (field 22). Two
 * processes that share a pid (one dead, its number reused) never share a start time, so the pair
 * names one process. Undefined where /proc is absent (macOS, Windows) or the process is gone.
 */
export function processStartTicks(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ')': split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 3 onwards now start at index 0, so field 22 is index 19.
  return fields[19];
}

/** Whether a process with this pid exists on this machine (it may belong to another user). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
