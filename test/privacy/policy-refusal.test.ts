import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';

/** A run config whose data file does not exist: a run that reads data first fails on that instead. */
function config(teacher: string, privacy?: Record<string, unknown>) {
  return stringify({
    name: 'refused',
    teacher,
    student: { model: 'new' },
    data: { train: '/nonexistent/train.jsonl' },
    strategies: ['medthink'],
    ...(privacy ? { privacy } : {}),
  });
}

describe('a run whose privacy policy does not allow its teacher', () => {
  let listener: Server;
  let connections = 0;
  let port = 0;
  beforeAll(async () => {
    listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    listener.listen(0, '127.0.0.2');
    await once(listener, 'listening');
    port = (listener.address() as { port: number }).port;
  });
  afterAll(() => {
    listener.close();
  });

  it('sends a listener the policy does not allow nothing, not even a connection', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'run.yaml');
    // Loopback, but the allow-list names only 127.0.0.1.
    await writeFile(
      path,
      config(`llama-server:http://127.0.0.2:${port}#tiny`, { mode: 'allow-list', allow: ['127.0.0.1'] }),
    );
    const result = await runMedistill(['run', path, '--out', join(dir, 'run')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `teacher "llama-server:http://127.0.0.2:${port}#tiny" sends data to 127.0.0.2, which the privacy policy allow-list (127.0.0.1) does not allow`,
    );
    // Refused before the data was read: the missing dataset was never noticed.
    expect(result.stderr).not.toContain('dataset not found');
    expect(connections).toBe(0);
  });

  it('refuses a hosted teacher under the default policy with one message naming spec, policy and remedy', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'run.yaml');
    await writeFile(path, config('openai:gpt-4o-mini'));
    const result = await runMedistill(['run', path, '--out', join(dir, 'run')], {
      env: { OPENAI_API_KEY: 'sk-test-never-sent' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'medistill: teacher "openai:gpt-4o-mini" sends data to api.openai.com (a name other than localhost), ' +
        'which the privacy policy local-only does not allow. To allow it, add "privacy: { mode: allow-list, ' +
        'allow: [api.openai.com] }" to the run config or pass --allow-endpoint api.openai.com.',
    ]);
  });

  it('lets --local-only override a config that allows the host', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'run.yaml');
    await writeFile(
      path,
      config(`llama-server:http://teacher.test:${port}#tiny`, {
        mode: 'allow-list',
        allow: ['teacher.test'],
      }),
    );
    const result = await runMedistill(['run', path, '--out', join(dir, 'run'), '--local-only']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/sends data to teacher\.test .*local-only does not allow/);
    expect(connections).toBe(0);
  });

  it('applies --local-only and --allow-endpoint to ask and eval, before any data is read', async () => {
    const asked = await runMedistill(['ask', '--local-only', '-m', 'openai:gpt-4o-mini', 'hello']);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('--model "openai:gpt-4o-mini" sends data to api.openai.com');
    const evaluated = await runMedistill([
      'eval',
      '--allow-endpoint',
      '127.0.0.1',
      '--model',
      `llama-server:http://127.0.0.2:${port}#tiny`,
      '--data',
      '/nonexistent/items.jsonl',
      '--mode',
      'cot',
    ]);
    expect(evaluated.code).toBe(2);
    expect(evaluated.stderr).toContain(
      'sends data to 127.0.0.2, which the privacy policy allow-list (127.0.0.1)',
    );
    expect(connections).toBe(0);
  });
});
