import { getLlama, type Llama } from 'node-llama-cpp';

let shared: Promise<Llama> | undefined;

/** One CPU llama.cpp instance per test process (loading the native addon is the slow part). */
export function testLlama(): Promise<Llama> {
  shared ??= getLlama({ gpu: false, logLevel: 'error' as never });
  return shared;
}
