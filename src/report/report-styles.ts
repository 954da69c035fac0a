/** The report's only stylesheet, inline: system fonts, readable tables, no external resource. */
export const reportStyles = `
:root { color-scheme: light; --muted: #6b7280; --line: #e5e7eb; --accent: #4c78a8; --bad: #b91c1c; --good: #15803d; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; margin: 0; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 16px 0 6px; }
.meta, .note { color: var(--muted); font-size: 0.9rem; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9rem; display: block; max-width: 100%; overflow-x: auto; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; background: #f9fafb; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 8px 0 16px; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.85rem; }
details.error-item { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 12px; }
details.error-item > summary { cursor: pointer; padding: 4px 0; }
details.error-item[open] > summary { border-bottom: 1px solid var(--line); margin-bottom: 8px; }
.question { white-space: pre-wrap; }
ol.options { margin: 4px 0 8px; padding-left: 0; list-style: none; }
ol.options li.reference { font-weight: 600; color: var(--good); }
.answer.wrong { color: var(--bad); font-weight: 600; }
.answer.right { color: var(--good); font-weight: 600; }
pre { white-space: pre-wrap; word-break: break-word; background: #f9fafb; border: 1px solid var(--line); padding: 8px; font-size: 0.85rem; max-height: 24em; overflow: auto; }
.significant { font-weight: 600; }
`;
