import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';

/**
 * The directory of the prebuilt llama.cpp libraries (libllama, libggml-base) that node-llama-cpp
 * installs for this platform as `@node-llama-cpp/<platform>-<arch>`: calling them through FFI
 * needs no compiler.
 */
export function prebuiltLlamaDirectory(): string {
  const platform = `${process.platform}-${process.arch}`;
  try {
    // Resolve from node-llama-cpp itself: the platform package is its optional dependency.
    const fromNodeLlamaCpp = createRequire(createRequire(import.meta.url).resolve('node-llama-cpp'));
    const entry = fromNodeLlamaCpp.resolve(`@node-llama-cpp/${platform}`);
    return join(entry, '..', '..', 'bins', platform);
  } catch (error) {
    throw new ConfigError(
      `no prebuilt llama.cpp for ${platform}: the package @node-llama-cpp/${platform} is not installed`,
      { cause: error },
    );
  }
}

/**
 * The path of one prebuilt library, `llama` or `ggml-base`, whatever the platform names it
 * (libllama.v0.5.0.so, libggml-base.so, libllama.dylib, llama.dll).
 */
export function prebuiltLibraryPath(name: 'llama' | 'ggml-base'): string {
  const directory = prebuiltLlamaDirectory();
  const pattern = new RegExp(`^(lib)?${name}(\\.v[0-9.]+)?\\.(so|dylib|dll)$`);
  const file = readdirSync(directory).find((entry) => pattern.test(entry));
  if (!file) throw new ConfigError(`no ${name} library in ${directory}`);
  return join(directory, file);
}
