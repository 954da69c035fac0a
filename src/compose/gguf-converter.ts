import { convertHfToGguf } from '../convert/hf-to-gguf.js';
import { convertPeftLoraToGguf } from '../convert/peft-lora-to-gguf.js';
import type { GgufConverter } from './student-loader.js';

/** The `gguf` evaluation route's conversions, done by medistill's own converter (no Python). */
export const ggufConverter: GgufConverter = {
  async hfToGguf(input, output, outType) {
    await convertHfToGguf({ input, output, outType });
  },
  async loraToGguf(adapterDir, base, output) {
    await convertPeftLoraToGguf({ adapterDir, base, output });
  },
};
