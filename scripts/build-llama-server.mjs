#!/usr/bin/env node
/**
 * Builds llama-server from the llama.cpp source that node-llama-cpp bundles
 * (`node_modules/node-llama-cpp/llama/gitRelease.bundle`) into a cache folder
 * outside the repository, so tests and benchmarks can run a real
 * OpenAI-compatible server with no network.
 *
 * Usage: node scripts/build-llama-server.mjs [--print-path]
 *   --print-path  print where the binary lives (or will live) and exit.
 * The last line on stdout is always the binary's absolute path; logs go to stderr.
 * Idempotent: returns at once when the binary is already there. A lock folder
 * keeps two concurrent builds (a test run and a manual run) from colliding.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const llamaFolder = join(repositoryRoot, 'node_modules', 'node-llama-cpp', 'llama');
const bundlePath = join(llamaFolder, 'gitRelease.bundle');

const cmakeFlags = [
  '-DCMAKE_BUILD_TYPE=Release',
  '-DLLAMA_OPENSSL=OFF',
  '-DLLAMA_CURL=OFF',
  '-DLLAMA_USE_PREBUILT_UI=OFF',
  '-DLLAMA_BUILD_UI=OFF',
  '-DLLAMA_BUILD_TESTS=OFF',
  '-DLLAMA_BUILD_EXAMPLES=OFF',
  // Static so the finished folder can be renamed into place without broken rpaths.
  '-DBUILD_SHARED_LIBS=OFF',
];

function log(message) {
  process.stderr.write(`[build-llama-server] ${message}\n`);
}

async function bundleDigest() {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(bundlePath)) hash.update(chunk);
  return hash.digest('hex').slice(0, 12);
}

function releaseTag() {
  try {
    const info = JSON.parse(readFileSync(join(llamaFolder, 'binariesGithubRelease.json'), 'utf8'));
    return typeof info.release === 'string' ? info.release : 'unknown';
  } catch {
    return 'unknown';
  }
}

function run(command, args, options = {}) {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args[0] ?? ''} failed with exit code ${result.status ?? result.signal}`);
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the lock folder, waiting while another live process holds it. */
async function acquireLock(lockPath) {
  for (;;) {
    try {
      mkdirSync(lockPath);
      writeFileSync(join(lockPath, 'pid'), String(process.pid));
      return;
    } catch {
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(lockPath, 'pid'), 'utf8'));
      } catch {}
      if (Number.isFinite(owner) && !processAlive(owner)) {
        log(`removing stale lock of process ${owner}`);
        rmSync(lockPath, { recursive: true, force: true });
        continue;
      }
      await new Promise((done) => setTimeout(done, 2000));
    }
  }
}

async function main() {
  if (!existsSync(bundlePath)) throw new Error(`llama.cpp source bundle not found at ${bundlePath}`);
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const targetFolder = join(cacheRoot, 'medistill', `llama-server-${releaseTag()}-${await bundleDigest()}`);
  const binaryPath = join(targetFolder, 'llama-server');
  if (process.argv.includes('--print-path') || existsSync(binaryPath)) {
    process.stdout.write(`${binaryPath}\n`);
    return;
  }
  mkdirSync(dirname(targetFolder), { recursive: true });
  const lockPath = `${targetFolder}.lock`;
  await acquireLock(lockPath);
  try {
    if (existsSync(binaryPath)) {
      process.stdout.write(`${binaryPath}\n`);
      return;
    }
    const workFolder = `${targetFolder}.work`;
    rmSync(workFolder, { recursive: true, force: true });
    const sourceFolder = join(workFolder, 'source');
    const buildFolder = join(workFolder, 'build');
    const started = Date.now();
    run('git', ['-c', 'advice.detachedHead=false', 'clone', '--quiet', bundlePath, sourceFolder]);
    run('cmake', ['-S', sourceFolder, '-B', buildFolder, ...cmakeFlags]);
    run('cmake', ['--build', buildFolder, '--target', 'llama-server', '-j2']);
    const built = join(buildFolder, 'bin', 'llama-server');
    if (!existsSync(built)) throw new Error(`build finished but ${built} is missing`);
    const staging = join(workFolder, 'finished');
    mkdirSync(staging);
    renameSync(built, join(staging, 'llama-server'));
    renameSync(staging, targetFolder);
    rmSync(workFolder, { recursive: true, force: true });
    log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
    process.stdout.write(`${binaryPath}\n`);
  } finally {
    rmSync(lockPath, { recursive: true, force: true });
  }
}

main().catch((error) => {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
