/**
 * Runs the benchmarks, one process each so peak memory is measured per benchmark:
 *   npm run bench                 all of them
 *   npm run bench -- training     one (datasets, teacher-calls, evaluation, generation, training, phi-scan)
 * Each prints its own table; speed and memory targets live here, not in the tests.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const all = ['datasets', 'teacher-calls', 'evaluation', 'generation', 'training', 'phi-scan'];
const chosen = process.argv.slice(2).filter((name) => !name.startsWith('-'));
const unknown = chosen.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')} (known: ${all.join(', ')})\n`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen.length > 0 ? chosen : all) {
  process.stdout.write(`\n## ${name}\n\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, `${name}.ts`)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
