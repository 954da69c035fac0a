import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MedistillError } from '../../errors.js';

/** The package root, from this file (src/… under tsx and vitest, dist/… when built). */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The one build script; tests, benchmarks and `medistill serve` all go through it. */
export const buildLlamaServerScript = join(packageRoot, 'scripts', 'build-llama-server.mjs');

/**
 * The llama-server binary: `MEDISTILL_LLAMA_SERVER` when set, else the one built from the
 * llama.cpp source node-llama-cpp bundles and cached in ~/.cache/medistill (built on first use,
 * about 4 minutes on 2 cores; the script's lock keeps concurrent callers from building twice).
 */
export async function llamaServerBinary(): Promise<string> {
  const fromEnvironment = process.env.MEDISTILL_LLAMA_SERVER;
  if (fromEnvironment) {
    if (!existsSync(fromEnvironment))
      throw new MedistillError(`MEDISTILL_LLAMA_SERVER points to ${fromEnvironment}, which does not exist`);
    return fromEnvironment;
  }
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [buildLlamaServerScript], {
      cwd: packageRoot,
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (error) {
    throw new MedistillError(
      `could not build llama-server with ${buildLlamaServerScript} (needs cmake and a C++ compiler): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const path = stdout.trim().split('\n').at(-1) ?? '';
  if (!existsSync(path))
    throw new MedistillError(`build-llama-server did not produce a binary (got "${path}")`);
  return path;
}
