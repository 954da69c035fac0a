import type { Item } from '../item.js';
import { writeTextFileAtomically } from './text-file-writer.js';

/** Write items as medistill's own JSONL (one Item per line), read back by the `medistill-items` format. */
export async function writeItemsJsonl(
  items: AsyncIterable<Item> | Iterable<Item>,
  file: string,
): Promise<number> {
  let written = 0;
  await writeTextFileAtomically(file, async (write) => {
    for await (const item of items) {
      await write(`${JSON.stringify(item)}\n`);
      written += 1;
    }
  });
  return written;
}
