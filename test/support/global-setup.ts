import { ensureLlamaServerBinary } from './llama-server.js';

/**
 * Build llama-server once before any test file starts (minutes on a fresh machine, then cached in
 * ~/.cache/medistill), so suites that start a server do not race to build it in parallel.
 */
export default async function setup(): Promise<void> {
  process.stderr.write(
    'medistill tests: checking for llama-server (built once from the bundled llama.cpp source)...\n',
  );
  const path = await ensureLlamaServerBinary();
  process.stderr.write(`medistill tests: llama-server at ${path}\n`);
}
