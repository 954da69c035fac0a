import { InputError } from '../../errors.js';

/**
 * Grammar-constrained output still needs checking after parsing: llama.cpp's JSON integer rule
 * admits exponents, so a model can emit `98e80...`, which parses to Infinity.
 */
export function validateJsonOutput(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`model output is not valid JSON: ${text.slice(0, 200)}`, undefined, {
      cause: error,
    });
  }
  const check = (node: unknown, path: string): void => {
    if (typeof node === 'number' && !Number.isFinite(node)) {
      throw new InputError(`model output has a non-finite number at ${path || '(root)'}`);
    }
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) check(item, `${path}[${index}]`);
    } else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) check(item, `${path}.${key}`);
    }
  };
  check(value, '');
  return text;
}
