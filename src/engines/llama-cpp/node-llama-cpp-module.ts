/**
 * node-llama-cpp, loaded on first use. Importing it costs over a second and pulls in the native
 * loader, so nothing reaches it at import time: `import 'medistill'` stays cheap until a model runs.
 */
let loaded: Promise<typeof import('node-llama-cpp')> | undefined;

export function nodeLlamaCpp(): Promise<typeof import('node-llama-cpp')> {
  loaded ??= import('node-llama-cpp');
  return loaded;
}
