#!/usr/bin/env node
/**
 * Adds to package-lock.json the platform-specific optional packages (other operating systems' and
 * CPUs' builds of biome and node-llama-cpp) that npm could not record because the registry mirror
 * this project is developed behind serves only Linux builds. Without them `npm ci` refuses the lock
 * ("Missing: ... from lock file"); with them it skips those packages on platforms they don't fit,
 * and fetches them by version on platforms they do. Run after any `npm install` that rewrites the
 * lock: node scripts/complete-lockfile.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const lockPath = join(import.meta.dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));

/** os, cpu and libc from a platform package's name, as its own manifest declares them. */
function platformOf(name) {
  const os = /android/.test(name) ? 'android' : /darwin|mac/.test(name) ? 'darwin' : /win32|win-/.test(name) ? 'win32' : 'linux';
  const cpu = /arm64/.test(name) ? 'arm64' : /riscv64/.test(name) ? 'riscv64' : /armv7l/.test(name) ? 'arm' : 'x64';
  return { os: [os], cpu: [cpu], ...(/musl/.test(name) ? { libc: ['musl'] } : {}) };
}

let added = 0;
for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || !/^\d/.test(version)) continue;
    lock.packages[key] = { version, ...(entry.dev ? { dev: true } : {}), optional: true, ...platformOf(name) };
    added++;
  }
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`added ${added} platform packages to package-lock.json\n`);
