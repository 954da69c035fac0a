import { execFile } from 'node:child_process';
import { ConfigError } from '../../errors.js';
import { parseWorkerLine } from './worker-events.js';
import { workerScriptPath } from './worker-script.js';

/** The Python modules a training needs (import names; the worker maps them to pip names). */
export function requiredModules(needs: { lora: boolean; vision: boolean; deepspeed: boolean }): string[] {
  return [
    'torch',
    'transformers',
    'accelerate',
    'safetensors',
    'jinja2',
    ...(needs.lora ? ['peft'] : []),
    ...(needs.vision ? ['PIL'] : []),
    ...(needs.deepspeed ? ['deepspeed'] : []),
  ];
}

/**
 * One quick Python call before any work: the worker looks the modules up without importing them
 * and names every missing one, so a machine without them gets one message, not a traceback an
 * hour into data preparation. Returns the installed versions.
 */
export async function checkPythonPackages(
  python: readonly string[],
  modules: readonly string[],
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const [command, ...prefix] = python;
  if (command === undefined) throw new ConfigError('the python command is empty');
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      command,
      [...prefix, workerScriptPath(), '--check', ...modules],
      { timeout: 60_000, ...(signal ? { signal } : {}) },
      (error, out) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT')
          reject(
            new ConfigError(
              `cannot start "${command}": not found (the transformers engine needs a Python with torch, transformers and peft; set \`python\` in the engine settings)`,
            ),
          );
        else if (error)
          reject(new ConfigError(`"${python.join(' ')}" could not check its packages: ${error.message}`));
        else resolve(out);
      },
    );
  });
  for (const line of stdout.split('\n')) {
    const event = parseWorkerLine(line);
    if (event?.event !== 'packages') continue;
    if (event.missing.length > 0)
      throw new ConfigError(
        `the transformers engine needs Python packages that "${python.join(' ')}" does not have: ${event.missing.join(', ')} (install them, e.g. \`${python.join(' ')} -m pip install ${event.missing.join(' ')}\`, or point \`python\` at an environment that has them)`,
      );
    return event.versions ?? {};
  }
  throw new ConfigError(`"${python.join(' ')}" did not answer the package check`);
}
