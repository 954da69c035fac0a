import { readFileSync } from 'node:fs';
import { RunStore } from '../src/store/run-store.js';
import { sha256Hex } from '../src/util/canonical-json.js';
const dir = process.argv[2]!;
const correct = JSON.parse(readFileSync(`${dir}/medthink/seed-1/stage2.correct.json`, 'utf8'));
const first = correct.results[0];
const store = RunStore.openDirectory(dir);
await store.reviews.record({ stage: 'stage2.correct', itemId: first.itemId, originalHash: sha256Hex(first.value), decision: 'edit', text: 'EDITED CHAIN .\nAnswer: B', reviewer: 'me', reviewedAt: new Date().toISOString() });
store.close();
