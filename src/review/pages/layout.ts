import { html, type TrustedHtml } from '../../report/html-escape.js';

export interface LayoutOptions {
  title: string;
  runName: string;
  /** Reload every so many seconds (a running run's progress); a meta refresh needs no script. */
  refreshSeconds?: number;
  compare: boolean;
}

/** Every page's frame. Styles come from /style.css: the CSP allows nothing inline and no script at all. */
export function layout(options: LayoutOptions, body: TrustedHtml): string {
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${options.title} \u2013 medistill view</title>
<link rel="stylesheet" href="/style.css"></head>
<body><nav><a href="/">Overview</a><a href="/items">Items</a>${
    options.compare ? html`<a href="/compare">Side by side</a>` : ''
  }<a href="/reviews.jsonl">Export reviews</a><span class="run">${options.runName}</span></nav>
<main>${body}</main></body></html>
`.value;
}
