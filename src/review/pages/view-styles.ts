import { reportStyles } from '../../report/report-styles.js';

/** The report's stylesheet plus the viewer's own parts (navigation, filters, forms, two columns). */
export const viewStyles = `${reportStyles}
nav { display: flex; gap: 16px; align-items: baseline; border-bottom: 1px solid var(--line); padding: 8px 32px; background: #f9fafb; }
nav a { color: var(--accent); text-decoration: none; font-weight: 600; }
nav .run { color: var(--muted); margin-left: auto; font-size: 0.85rem; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; margin: 12px 0; }
form.filters label { display: flex; flex-direction: column; font-size: 0.8rem; color: var(--muted); }
form.filters input[type=search] { min-width: 16em; }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 0.8rem; background: #eef2ff; }
.badge.wrong { background: #fee2e2; color: var(--bad); }
.badge.right { background: #dcfce7; color: var(--good); }
.badge.dropped { background: #fef3c7; }
section.trace-part { border: 1px solid var(--line); border-radius: 6px; padding: 4px 14px 10px; margin: 12px 0; }
form.review { display: grid; gap: 6px; margin-top: 8px; }
form.review textarea { width: 100%; min-height: 8em; font: 0.85rem ui-monospace, monospace; }
form.review .buttons { display: flex; gap: 8px; align-items: center; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
.running { background: #eff6ff; border: 1px solid #bfdbfe; padding: 6px 12px; border-radius: 6px; }
img.item-image { max-width: 100%; max-height: 360px; border: 1px solid var(--line); }
del { color: var(--muted); }
`;
