import { describe, expect, it } from 'vitest';
import { parseWorkerLine, progressFromEvent } from './worker-events.js';

describe('worker JSON lines', () => {
  it('skips what is not an event: library chatter, dict reprs, unknown events', () => {
    expect(parseWorkerLine("{'loss': 1.2, 'epoch': 0.5}")).toBeUndefined();
    expect(parseWorkerLine('Some weights were not initialized')).toBeUndefined();
    expect(parseWorkerLine('{"event": "telemetry", "x": 1}')).toBeUndefined();
    expect(parseWorkerLine('{"event": "progress", "epoch": "one"}')).toBeUndefined();
  });

  it('keeps fields a newer worker adds (lenient)', () => {
    expect(
      parseWorkerLine('{"event":"checkpoint","step":4,"path":"/c/checkpoint-4","bytes":123}'),
    ).toMatchObject({ event: 'checkpoint', step: 4, bytes: 123 });
  });

  it('turns a step line into in-epoch progress, counting epochs from 1 with an ETA', () => {
    const event = parseWorkerLine(
      '{"event":"progress","epoch":0.5,"step":2,"total_steps":8,"loss":2.5,"tokens_per_second":900}',
    )!;
    expect(progressFromEvent(event, 1000, 8, 3000)).toEqual({
      epoch: 1,
      step: 2,
      totalSteps: 8,
      trainLoss: 2.5,
      tokensPerSecond: 900,
      elapsedMs: 2000,
      etaMs: 6000,
      epochEnd: false,
    });
  });

  it('turns an epoch line into the epoch-end event; a null loss is left out', () => {
    const event = parseWorkerLine(
      '{"event":"epoch","epoch":0,"step":0,"total_steps":8,"train_loss":null,"validation_loss":3.25}',
    )!;
    expect(progressFromEvent(event, 0, 8, 10)).toEqual({
      epoch: 0,
      step: 0,
      totalSteps: 8,
      validationLoss: 3.25,
      elapsedMs: 10,
      epochEnd: true,
    });
  });
});
