/**
 * The README's device commands, run as written where the tool is here: the llama-server and curl
 * lines (with the cached llama-server binary) and the node-llama-cpp snippet, against a small
 * ChatML model (SmolLM2-135M-Instruct for the snippet, where it is cached) in place of the exported
 * student. Only the model path and the port are substituted.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaServerBinary } from '../../src/engines/llama-cpp/llama-server-binary.js';
import { createTinyModel, freePort } from '../support/llama-server.js';
import { repoRoot, temporaryDirectory } from '../support/paths.js';
import { publishedModelForTests } from '../support/published-model.js';

const run = promisify(execFile);
let readme: string;
let directory: string;
let modelPath: string;
let server: ChildProcess | undefined;

/** The fenced code blocks of the README's device section, with their language tag. */
function deviceBlocks(): { language: string; body: string }[] {
  const section = readme.slice(readme.indexOf('## Taking the student to a device'));
  const end = section.indexOf('\n## ', 5);
  const text = end > 0 ? section.slice(0, end) : section;
  return [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((match) => ({
    language: match[1]!,
    body: match[2]!,
  }));
}

const linesStartingWith = (prefix: string) =>
  deviceBlocks()
    .filter((block) => block.language === 'sh')
    .flatMap((block) => block.body.split('\n'))
    .filter((line) => line.startsWith(prefix));

beforeAll(async () => {
  readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  directory = await temporaryDirectory('readme-');
  modelPath = await createTinyModel(directory);
});

afterAll(() => {
  server?.kill('SIGKILL');
});

describe('README: taking the student to a device', () => {
  it('the llama-server and curl commands answer a chat completion', async () => {
    const [serverLine] = linesStartingWith('llama-server ');
    const [curlLine] = linesStartingWith('curl ');
    expect(serverLine).toBeDefined();
    expect(curlLine).toBeDefined();
    const port = String(await freePort());
    const args = serverLine!
      .split(/\s+/)
      .slice(1)
      .map((word) => (word === 'student.q4_k_m.gguf' ? modelPath : word === '8080' ? port : word));
    server = spawn(await llamaServerBinary(), args, { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { stdout } = await run('sh', ['-c', curlLine!.replace(':8080/', `:${port}/`)]);
    const body = JSON.parse(stdout) as { choices: { message: { role: string } }[] };
    expect(body.choices[0]?.message.role).toBe('assistant');
  });

  it('the node-llama-cpp snippet runs and prints a reply', async () => {
    // A real instruct model answers in words; the tiny random one may answer in whitespace only.
    const real = await publishedModelForTests('smollm2-135m-instruct');
    const snippet = deviceBlocks().find(
      (block) => block.language === 'js' && block.body.includes('node-llama-cpp'),
    );
    expect(snippet).toBeDefined();
    const script = join(directory, 'snippet.mjs');
    // The snippet imports the package by name; from a temporary folder it is found by its URL.
    await writeFile(
      script,
      snippet!.body
        .replace(`from 'node-llama-cpp'`, `from '${import.meta.resolve('node-llama-cpp')}'`)
        .replace(`'student.q4_k_m.gguf'`, JSON.stringify(real ?? modelPath)),
    );
    const { stdout } = await run(process.execPath, [script], { timeout: 60_000 });
    expect((real ? stdout.trim() : stdout).length).toBeGreaterThan(0);
  });
});
