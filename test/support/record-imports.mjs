// `node --import ./record-imports.mjs`: records the packages a process imports (see the hooks file).
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url, {
  data: { file: process.env.MEDISTILL_RECORD_IMPORTS },
});
