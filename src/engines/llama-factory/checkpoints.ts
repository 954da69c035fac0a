import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The `checkpoint-N` folder with the largest N in `outputDir`, or undefined when there is none. */
export async function latestCheckpoint(
  outputDir: string,
): Promise<{ path: string; step: number } | undefined> {
  const entries = await readdir(outputDir, { withFileTypes: true }).catch(() => []);
  let latest: { path: string; step: number } | undefined;
  for (const entry of entries) {
    const match = /^checkpoint-(\d+)$/.exec(entry.name);
    if (!entry.isDirectory() || !match) continue;
    const step = Number(match[1]);
    // A checkpoint the trainer had not finished writing (no trainer_state.json) cannot be resumed.
    if (!existsSync(join(outputDir, entry.name, 'trainer_state.json'))) continue;
    if (!latest || step > latest.step) latest = { path: join(outputDir, entry.name), step };
  }
  return latest;
}

/** A PEFT adapter folder: its config and its weights. */
export function isAdapterFolder(folder: string): boolean {
  return (
    existsSync(join(folder, 'adapter_config.json')) &&
    (existsSync(join(folder, 'adapter_model.safetensors')) || existsSync(join(folder, 'adapter_model.bin')))
  );
}

/**
 * Where the trained adapter is: LLaMA-Factory saves the final one at the top of `output_dir`;
 * failing that, the latest checkpoint's.
 */
export async function findAdapter(outputDir: string): Promise<string | undefined> {
  if (isAdapterFolder(outputDir)) return outputDir;
  const latest = await latestCheckpoint(outputDir);
  return latest && isAdapterFolder(latest.path) ? latest.path : undefined;
}
