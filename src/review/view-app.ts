import { basename } from 'node:path';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { InputError, MedistillError } from '../errors.js';
import { html } from '../report/html-escape.js';
import { allowedHosts, requestToken, tokenCookieName, tokenMatches } from './access-rule.js';
import { filterTraces, itemFilterSchema } from './item-filter.js';
import { compareItemPage, comparePage, type Side } from './pages/compare-page.js';
import { itemsPage } from './pages/items-page.js';
import { layout } from './pages/layout.js';
import { overviewPage } from './pages/overview-page.js';
import { tracePage } from './pages/trace-page.js';
import { viewStyles } from './pages/view-styles.js';
import { recordReview, reviewFormSchema } from './record-review.js';
import { exportReviews } from './review-jsonl.js';
import { readRunImage } from './run-image.js';
import type { RunSource } from './run-source.js';

export interface ViewAppOptions {
  source: RunSource;
  /** A second run for the side-by-side pages. */
  compare?: RunSource;
  /** When set, every request must carry it (bearer header, cookie, or `?token=` once). */
  token?: string;
  /** The address the server is bound to, for the Host check. */
  host: string;
  port: number;
  /** The name review forms start with. */
  reviewer: string;
}

/** Nothing is loaded from anywhere but this server, no script runs, no page can frame these. */
const contentSecurityPolicy =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function errorPage(context: Context, status: 400 | 403 | 404, message: string) {
  const body = html`<h1>${status === 404 ? 'Not found' : 'Cannot do that'}</h1><p>${message}</p>`;
  return context.html(layout({ title: 'Error', runName: '', compare: false }, body), status);
}

/**
 * The review console as a hono app: server-rendered pages over a run directory, review forms that
 * append decisions to the run store, and the access rules (Host, token, same-origin writes).
 */
export function createViewApp(options: ViewAppOptions): Hono {
  const { source } = options;
  const app = new Hono();
  const hosts = () => allowedHosts(options.host, options.port);

  app.use('*', async (context, next) => {
    // DNS rebinding: a foreign name that resolves here is not this console.
    if (!hosts().has(context.req.header('host') ?? '')) return context.text('unknown host', 421);
    if (options.token !== undefined) {
      const query = context.req.query('token');
      const given = requestToken({
        authorization: context.req.header('authorization'),
        cookie: context.req.header('cookie'),
        query,
      });
      if (!tokenMatches(given, options.token)) return context.text('a valid token is needed', 401);
      if (query !== undefined) {
        // The token leaves the address bar (and history) for a cookie only this site gets.
        const url = new URL(context.req.url);
        url.searchParams.delete('token');
        context.header(
          'Set-Cookie',
          `${tokenCookieName}=${encodeURIComponent(options.token)}; Path=/; HttpOnly; SameSite=Strict`,
        );
        return context.redirect(`${url.pathname}${url.search}`, 303);
      }
    }
    // Writes only from this console's own pages: another site cannot post a review.
    if (context.req.method !== 'GET' && context.req.method !== 'HEAD') {
      const origin = context.req.header('origin');
      const site = context.req.header('sec-fetch-site');
      const sameOrigin = origin === undefined || hosts().has(origin.replace(/^https?:\/\//, ''));
      if (!sameOrigin || (site !== undefined && site !== 'same-origin'))
        return context.text('cross-site request refused', 403);
    }
    await next();
    context.header('Content-Security-Policy', contentSecurityPolicy);
    context.header('X-Content-Type-Options', 'nosniff');
    // Not no-referrer: under it a browser sends `Origin: null` with forms, and the write check needs the origin.
    context.header('Referrer-Policy', 'same-origin');
    context.header('Cache-Control', 'no-store');
  });

  app.get('/style.css', (context) => context.body(viewStyles, 200, { 'Content-Type': 'text/css' }));

  app.get('/', async (context) => {
    const snapshot = await source.snapshot();
    const traces = new Map(
      await Promise.all(
        snapshot.runs.map(async (run) => [run.key, await source.traces(snapshot, run)] as const),
      ),
    );
    return context.html(
      overviewPage({
        snapshot,
        traces,
        decisions: source.decisions(),
        compare: options.compare !== undefined,
      }),
    );
  });

  app.get('/items', async (context) => {
    const snapshot = await source.snapshot();
    const run =
      snapshot.runs.find((candidate) => candidate.key === context.req.query('run')) ?? snapshot.runs[0];
    if (!run) return errorPage(context, 404, 'This run has no strategy results yet.');
    const filter = itemFilterSchema.parse(context.req.query());
    const traces = [...(await source.traces(snapshot, run)).values()];
    return context.html(
      itemsPage({
        snapshot,
        run,
        traces,
        shown: filterTraces(traces, filter),
        filter,
        compare: options.compare !== undefined,
      }),
    );
  });

  /** The strategy run and trace a URL names, looked up among those that exist (no path is built from it). */
  async function findTrace(context: Context) {
    const snapshot = await source.snapshot();
    const run = snapshot.runs.find(
      (candidate) =>
        candidate.strategy === context.req.param('strategy') &&
        String(candidate.seed) === context.req.param('seed'),
    );
    const trace = run
      ? (await source.traces(snapshot, run)).get(context.req.param('itemId') ?? '')
      : undefined;
    return run && trace ? { run, trace } : undefined;
  }

  app.get('/item/:strategy/:seed/:itemId', async (context) => {
    const found = await findTrace(context);
    if (!found) return errorPage(context, 404, 'No such item in this run.');
    return context.html(
      tracePage(source.directory, found.run, found.trace, {
        reviewable: !source.readOnly,
        reviewer: options.reviewer,
        compare: options.compare !== undefined,
      }),
    );
  });

  app.post('/item/:strategy/:seed/:itemId/review', async (context) => {
    if (source.readOnly) return errorPage(context, 403, 'This console is read-only.');
    const found = await findTrace(context);
    if (!found) return errorPage(context, 404, 'No such item in this run.');
    const form = reviewFormSchema.safeParse(await context.req.parseBody());
    if (!form.success) return errorPage(context, 400, form.error.issues[0]?.message ?? 'bad review form');
    await recordReview(
      source.writableStore(),
      { trace: found.trace, strategy: found.run.strategy, seed: found.run.seed },
      form.data,
    );
    return context.redirect(new URL(context.req.url).pathname.replace(/\/review$/, ''), 303);
  });

  app.get('/image/:itemId/:index', async (context) => {
    const snapshot = await source.snapshot();
    const item = snapshot.items.get(context.req.param('itemId'));
    const index = Number(context.req.param('index'));
    const image =
      item && Number.isInteger(index) ? await readRunImage(source.directory, item, index) : undefined;
    if (!image) return context.text('no such image inside the run directory', 404);
    return context.body(new Uint8Array(image.bytes), 200, { 'Content-Type': image.mediaType });
  });

  app.get('/reviews.jsonl', (context) => {
    const store = source.store();
    return context.body(store ? exportReviews(store) : '', 200, {
      'Content-Type': 'application/jsonl; charset=utf-8',
      'Content-Disposition': `attachment; filename="${basename(source.directory).replace(/[^\w.-]/g, '_')}.reviews.jsonl"`,
    });
  });

  async function sides(context: Context): Promise<[Side, Side] | undefined> {
    if (!options.compare) return undefined;
    const pick = async (
      side: RunSource,
      key: string | undefined,
      label: string,
    ): Promise<Side | undefined> => {
      const snapshot = await side.snapshot();
      const run = snapshot.runs.find((candidate) => candidate.key === key) ?? snapshot.runs.at(-1);
      if (!run) return undefined;
      return { label, runs: snapshot.runs, run, traces: await side.traces(snapshot, run) };
    };
    const a = await pick(source, context.req.query('a'), basename(source.directory));
    const b = await pick(options.compare, context.req.query('b'), basename(options.compare.directory));
    return a && b ? [a, b] : undefined;
  }

  app.get('/compare', async (context) => {
    const pair = await sides(context);
    if (!pair)
      return errorPage(context, 404, 'Start the viewer with --compare OTHER_RUN_DIR to compare two runs.');
    return context.html(comparePage(...pair));
  });

  app.get('/compare/item/:itemId', async (context) => {
    const pair = await sides(context);
    if (!pair)
      return errorPage(context, 404, 'Start the viewer with --compare OTHER_RUN_DIR to compare two runs.');
    return context.html(compareItemPage(context.req.param('itemId'), ...pair));
  });

  app.notFound((context) => errorPage(context, 404, 'No such page.'));
  app.onError((error, context) => {
    if (error instanceof InputError) return errorPage(context, 400, error.message);
    if (error instanceof MedistillError) return errorPage(context, 400, error.message);
    throw error;
  });
  return app;
}
