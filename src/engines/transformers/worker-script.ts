import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../errors.js';

/**
 * The Python worker ships in the package's `python/` folder, three levels above this file both in
 * `src/engines/transformers/` and in the built `dist/engines/transformers/`.
 */
export function workerScriptPath(): string {
  const path = fileURLToPath(new URL('../../../python/medistill_transformers_worker.py', import.meta.url));
  if (!existsSync(path))
    throw new ConfigError(`the transformers worker script is missing from the package (expected ${path})`);
  return path;
}
