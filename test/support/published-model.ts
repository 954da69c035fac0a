import { cachedPublishedModel } from '../../src/model/fetch/fetch-published-model.js';

/**
 * The cached path of a published model for tests that need real weights. `.ci/run` fetches it, so
 * in CI a missing model is a failure, not a skip; on a developer machine without it the tests skip
 * and say how to fetch it.
 */
export async function publishedModelForTests(name: string): Promise<string | undefined> {
  const path = await cachedPublishedModel(name);
  if (path) return path;
  const advice = `run \`npx medistill model fetch ${name}\` to put it in the cache`;
  if (process.env.CI) throw new Error(`the real model ${name} is not in the cache: ${advice}`);
  process.stderr.write(`skipping tests on the real model ${name}: ${advice}\n`);
  return undefined;
}
