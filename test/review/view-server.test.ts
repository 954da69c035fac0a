import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/datasets/item.js';
import { runViewServer, type ViewServer } from '../../src/review/run-view-server.js';
import { acquireRunLock } from '../../src/store/run-lock.js';
import { RunStore } from '../../src/store/run-store.js';
import { sha256Hex } from '../../src/util/canonical-json.js';
import { temporaryDirectory } from '../support/paths.js';
import { writeStoredZip } from '../support/write-zip.js';

/*
 * The console's server rules over a hand-made run directory: the token, the Host check, writes
 * only from its own pages, no path outside the run directory, escaped text, read-only mode.
 */

const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
const chain = `The reply misses the finding ${hostile} .\nAnswer: B`;

function item(id: string, overrides: Partial<Item> = {}): Item {
  return {
    kind: 'multiple-choice',
    id,
    question: `Question ${id}`,
    options: [
      { key: 'A', text: 'first' },
      { key: 'B', text: 'second' },
    ],
    answerKey: 'B',
    subject: 'cardiology',
    ...overrides,
  } as Item;
}

/** A finished MedThink run of two training items, as its stage files look, plus images in and out of it. */
async function makeRun(): Promise<{ directory: string; outside: string }> {
  const directory = await temporaryDirectory('medistill-view-run-');
  const outside = await temporaryDirectory('medistill-view-outside-');
  await writeFile(join(outside, 'secret.png'), png);
  await writeFile(join(directory, 'inside.png'), png);
  await writeStoredZip(join(directory, 'images.zip'), { 'scan.png': png });
  await symlink(join(outside, 'secret.png'), join(directory, 'link.png'));
  const items: Item[] = [
    item('q1', { question: `Which drug? ${hostile}`, images: [{ path: join(directory, 'inside.png') }] }),
    item('q2', {
      images: [{ path: join(outside, 'secret.png') }, { path: 'link.png' }, { path: '../secret.png' }],
    }),
    item('q3', { images: [{ zipPath: join(directory, 'images.zip'), entry: 'scan.png' }] }),
  ];
  await writeFile(
    join(directory, 'items.jsonl'),
    items.map((entry) => `${JSON.stringify(entry)}\n`).join(''),
  );
  const seed = join(directory, 'medthink', 'seed-1');
  await mkdir(seed, { recursive: true });
  const stage = async (name: string, value: unknown) => {
    await writeFile(join(seed, `${name}.json`), JSON.stringify(value));
    await new Promise((done) => setTimeout(done, 5));
  };
  const result = (values: Record<string, unknown>) => ({
    results: Object.entries(values).map(([itemId, value]) => ({ itemId, value })),
    failures: [],
  });
  await stage(
    'screen',
    result({
      q1: { answers: ['B'], majority: 'B', agrees: true },
      q2: { answers: ['A'], majority: 'A', agrees: false },
      q3: { answers: ['B'], majority: 'B', agrees: true },
    }),
  );
  await stage(
    'explain',
    result({ q1: 'Answer: second\nKnowledge points : 1 . one .', q3: 'Answer: second' }),
  );
  await stage('stage2.probe', [
    { itemId: 'q1', reply: 'Answer: A', answer: 'A', correct: false },
    { itemId: 'q3', reply: 'Answer: B', answer: 'B', correct: true },
  ]);
  await stage('stage2.judge', result({ q1: false, q3: true }));
  await stage('stage2.correct', result({ q1: chain }));
  return { directory, outside };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (fetch cannot set Host), to the server's port. */
function send(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: target.host, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

function reviewBody(fields: Record<string, string>): { body: string; headers: Record<string, string> } {
  return {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  };
}

describe('medistill view server', () => {
  let run: { directory: string; outside: string };
  let server: ViewServer | undefined;
  beforeAll(async () => {
    run = await makeRun();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('refuses a non-loopback address without a token, and a short token', async () => {
    await expect(runViewServer({ directory: run.directory, host: '0.0.0.0' })).rejects.toThrow(
      /needs? --token|give --token/,
    );
    await expect(runViewServer({ directory: run.directory, token: 'short' })).rejects.toThrow(/at least 16/);
  });

  it('with a token, answers only requests that carry it (header, cookie, or once in the address)', async () => {
    const token = 'a-long-enough-token-123';
    server = await runViewServer({ directory: run.directory, token });
    expect(server.url).toContain(`?token=${token}`);
    expect((await send(server.url, '/')).status).toBe(401);
    expect((await send(server.url, '/style.css')).status).toBe(401);
    expect(
      (await send(server.url, '/', { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status,
    ).toBe(401);
    expect((await send(server.url, '/', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const first = await send(server.url, `/items?token=${token}&set=train`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/items?set=train');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await send(server.url, '/items', { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(
      200,
    );
    expect(
      (await send(server.url, '/items', { headers: { cookie: 'medistill_view_token=nope' } })).status,
    ).toBe(401);
  });

  it('answers only its own host names (no DNS rebinding) and refuses cross-site writes', async () => {
    server = await runViewServer({ directory: run.directory });
    const port = new URL(server.url).port;
    expect((await send(server.url, '/', { headers: { host: `attacker.example:${port}` } })).status).toBe(421);
    expect((await send(server.url, '/', { headers: { host: `localhost:${port}` } })).status).toBe(200);
    const hash = sha256Hex(chain);
    const form = reviewBody({
      stage: 'stage2.correct',
      originalHash: hash,
      decision: 'reject',
      reviewer: 'r',
    });
    const crossSite = await send(server.url, '/item/medthink/1/q1/review', {
      method: 'POST',
      body: form.body,
      headers: { ...form.headers, origin: 'http://attacker.example' },
    });
    expect(crossSite.status).toBe(403);
    const nullOrigin = await send(server.url, '/item/medthink/1/q1/review', {
      method: 'POST',
      body: form.body,
      headers: { ...form.headers, origin: 'null' },
    });
    expect(nullOrigin.status).toBe(403);
    const fetchSite = await send(server.url, '/item/medthink/1/q1/review', {
      method: 'POST',
      body: form.body,
      headers: { ...form.headers, 'sec-fetch-site': 'cross-site' },
    });
    expect(fetchSite.status).toBe(403);
  });

  it('serves only images inside the run directory, and no path a request names', async () => {
    server = await runViewServer({ directory: run.directory, readOnly: true });
    const inside = await send(server.url, '/image/q1/0');
    expect(inside.status).toBe(200);
    expect(inside.headers['content-type']).toBe('image/png');
    expect((await send(server.url, '/image/q3/0')).status).toBe(200);
    // An absolute path outside, a symbolic link to outside, a relative path climbing out.
    for (const index of [0, 1, 2]) expect((await send(server.url, `/image/q2/${index}`)).status).toBe(404);
    for (const path of [
      '/image/q1/5',
      '/image/..%2Fitems.jsonl/0',
      '/../../etc/passwd',
      '/item/..%2F..%2Fetc/1/q1',
      '/item/medthink/1/..%2F..%2Fresults.json',
      '/item/medthink/1/%2e%2e%2fitems.jsonl',
      '/style.css/../../items.jsonl',
    ]) {
      const reply = await send(server.url, path);
      expect(reply.status, path).toBe(404);
      expect(reply.body).not.toContain('"kind":"multiple-choice"');
    }
  });

  it('escapes every text from the run and sends a strict CSP with no script', async () => {
    server = await runViewServer({ directory: run.directory, readOnly: true });
    const page = await send(server.url, '/item/medthink/1/q1');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<script');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    const search = await send(server.url, `/items?q=${encodeURIComponent('"><script>')}`);
    expect(search.body).toContain('value="&quot;&gt;&lt;script&gt;"');
    expect(search.body).not.toContain('"><script>');
  });

  it('read-only: no review form, writes refused, no store created', async () => {
    const fresh = await makeRun();
    server = await runViewServer({ directory: fresh.directory, readOnly: true });
    const page = await send(server.url, '/item/medthink/1/q1');
    expect(page.body).not.toContain('<form class="review"');
    const form = reviewBody({
      stage: 'stage2.correct',
      originalHash: sha256Hex(chain),
      decision: 'accept',
      reviewer: 'r',
    });
    const posted = await send(server.url, '/item/medthink/1/q1/review', { method: 'POST', ...form });
    expect(posted.status).toBe(403);
    expect(existsSync(join(fresh.directory, 'run.sqlite'))).toBe(false);
  });

  it('records a decision in the store beside the untouched original, and refuses one about a text the run never wrote', async () => {
    server = await runViewServer({ directory: run.directory, reviewer: 'reviewer-b' });
    const before = await readFile(join(run.directory, 'medthink', 'seed-1', 'stage2.correct.json'), 'utf8');
    const wrongHash = reviewBody({
      stage: 'stage2.correct',
      originalHash: 'f'.repeat(64),
      decision: 'reject',
      reviewer: 'r',
    });
    expect(
      (await send(server.url, '/item/medthink/1/q1/review', { method: 'POST', ...wrongHash })).status,
    ).toBe(400);
    const edit = reviewBody({
      stage: 'stage2.correct',
      originalHash: sha256Hex(chain),
      decision: 'edit',
      text: 'A better chain .\r\nAnswer: B',
      reviewer: 'reviewer-b',
    });
    const posted = await send(server.url, '/item/medthink/1/q1/review', { method: 'POST', ...edit });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe('/item/medthink/1/q1');
    const page = await send(server.url, '/item/medthink/1/q1');
    expect(page.body).toContain('Edited by reviewer-b');
    const filtered = await send(server.url, '/items?reviewed=yes');
    expect(filtered.body).toContain('>1 of 3 items<');
    await server.close();
    server = undefined;
    expect(await readFile(join(run.directory, 'medthink', 'seed-1', 'stage2.correct.json'), 'utf8')).toBe(
      before,
    );
    const store = RunStore.openDirectory(run.directory, { readOnly: true });
    try {
      expect(store.reviews.latest()).toMatchObject([
        {
          stage: 'stage2.correct',
          itemId: 'q1',
          decision: 'edit',
          text: 'A better chain .\nAnswer: B',
          reviewer: 'reviewer-b',
          strategy: 'medthink',
          seed: 1,
        },
      ]);
    } finally {
      store.close();
    }
  });

  it('filters by stage outcome, screening and search', async () => {
    server = await runViewServer({ directory: run.directory, readOnly: true });
    const count = async (query: string) =>
      /id="item-count">(\d+) of/.exec((await send(server!.url, `/items?${query}`)).body)?.[1];
    expect(await count('')).toBe('3');
    expect(await count('stage=stage2&outcome=wrong')).toBe('1');
    expect(await count('stage=stage2&outcome=right')).toBe('1');
    expect(await count('dropped=yes')).toBe('1');
    expect(await count(`q=${encodeURIComponent('WHICH drug')}`)).toBe('1');
    expect(await count(`q=${encodeURIComponent('misses the finding')}`)).toBe('1');
    expect(await count('outcome=bogus&set=train')).toBe('3');
  });

  it('shows a running run as running, reloading itself, and two runs side by side', async () => {
    const other = await makeRun();
    const lock = acquireRunLock(other.directory);
    try {
      server = await runViewServer({ directory: other.directory, compare: run.directory, readOnly: true });
      const overview = await send(server.url, '/');
      expect(overview.body).toContain('id="running"');
      expect(overview.body).toContain('<meta http-equiv="refresh" content="5">');
      const compare = await send(server.url, '/compare');
      expect(compare.status).toBe(200);
      expect(compare.body).toContain('3 items in both');
      const item = await send(server.url, '/compare/item/q1?a=medthink%2Fseed-1&b=medthink%2Fseed-1');
      expect(item.body.match(/<h3>Question<\/h3>/g)).toHaveLength(2);
      expect(item.body).not.toContain('<form class="review"');
    } finally {
      lock.release();
    }
    const finished = await send(server.url, '/');
    expect(finished.body).not.toContain('http-equiv="refresh"');
  });
});
