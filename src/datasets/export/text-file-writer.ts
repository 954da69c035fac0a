import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { writeAtomically } from '../../util/atomic-write.js';

/**
 * Write a text file piece by piece, with backpressure, through a temporary file renamed into
 * place at the end: a large export never sits whole in memory, and a failed one leaves nothing.
 */
export async function writeTextFileAtomically(
  path: string,
  produce: (write: (text: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  await writeAtomically(path, async (temporary) => {
    const stream = createWriteStream(temporary, { encoding: 'utf8' });
    const write = async (text: string): Promise<void> => {
      if (!stream.write(text)) await once(stream, 'drain');
    };
    try {
      await produce(write);
    } finally {
      stream.end();
      await finished(stream);
    }
  });
}
