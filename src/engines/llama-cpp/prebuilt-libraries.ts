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
