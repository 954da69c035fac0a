import type { TopLevelSpec } from 'vega-lite';

/** Shared look: system fonts only (the report loads nothing), quiet axes. */
export const chartConfig = {
  font: 'system-ui, -apple-system, "Segoe UI", sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e5e7eb' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0 },
  view: { stroke: null },
} as const;

/**
 * Render a Vega-Lite spec to an SVG string on the server: compile to Vega, run a headless view
 * (renderer "none": no canvas, no DOM) and serialise. Returned without XML namespace attributes,
 * which inline SVG in HTML does not need, so the report holds no URL at all. Data must be inline.
 */
export async function renderChartSvg(spec: TopLevelSpec, label: string): Promise<string> {
  // Vega loads on the first chart, not when the package is imported.
  const [{ logger, None, parse, View }, { compile }] = await Promise.all([
    import('vega'),
    import('vega-lite'),
  ]);
  // The library never prints: Vega-Lite's compile warnings are dropped (the charts are ours and tested).
  const vegaSpec = compile({ ...spec, config: { ...chartConfig, ...(spec.config ?? {}) } } as TopLevelSpec, {
    logger: logger(None),
  }).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none', logLevel: None });
  try {
    const svg = await view.toSVG();
    return svg
      .replace(/\s+xmlns(?::xlink)?="[^"]*"/g, '')
      .replace(/^<svg /, `<svg role="img" aria-label="${label.replace(/[&<>"']/g, '')}" `);
  } finally {
    view.finalize();
  }
}
