import type { RunEvent } from '../methods/strategy-context.js';
import { bar, formatDuration, type ProgressLine } from './progress.js';

/** Turns run events into a live line per active stage and a log line per finished stage. */
export function runEventPrinter(
  progress: ProgressLine,
  options: { json?: boolean } = {},
): (event: RunEvent) => void {
  const active = new Map<string, string>();
  const redraw = () => progress.update([...active.values()].join(' | '));
  return (event) => {
    const label = `${event.strategy}#${event.seed} ${event.stage}`;
    if (options.json) {
      if (event.type === 'stage-end') process.stderr.write(`${label}: ${event.summary}\n`);
      return;
    }
    switch (event.type) {
      case 'stage-start':
        active.set(label, `${label} …`);
        break;
      case 'stage-progress':
        active.set(
          label,
          `${label} ${bar(event.done / Math.max(1, event.total), 10)} ${event.done}/${event.total}${event.failed ? ` (${event.failed} failed)` : ''}`,
        );
        break;
      case 'training': {
        const p = event.progress;
        const loss = p.trainLoss === undefined ? '' : ` loss ${p.trainLoss.toFixed(3)}`;
        const eta = p.etaMs === undefined ? '' : ` ${formatDuration(p.etaMs)} left`;
        active.set(
          label,
          `${label} epoch ${p.epoch} ${bar(p.step / Math.max(1, p.totalSteps), 10)}${loss}${eta}`,
        );
        break;
      }
      case 'stage-end':
        active.delete(label);
        progress.log(`  ${label}: ${event.summary}`);
        break;
    }
    redraw();
  };
}
