import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BATCH_MS, FlowControl, HIGH_WATERMARK, LOW_WATERMARK, MAX_BATCH, STREAMING_BATCH } from './flow.ts';

describe('FlowControl', () => {
  let sent: string[];
  let pressure: boolean[];
  let flow: FlowControl;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
    sent = [];
    pressure = [];
    flow = new FlowControl({ send: (d) => sent.push(d) }, (blocked) => pressure.push(blocked));
  });
  afterEach(() => void vi.useRealTimers());

  it('sends echoes at the next turn, however close together they come', () => {
    flow.write('a');
    expect(sent).toEqual([]);
    vi.advanceTimersToNextTimer();
    expect(sent).toEqual(['a']);
    flow.write('b');
    flow.write('c');
    vi.advanceTimersToNextTimer();
    expect(sent).toEqual(['a', 'bc']);
    expect(performance.now()).toBe(0);
  });

  it('batches a stream of output: after a big send, the next waits BATCH_MS', () => {
    const big = 'b'.repeat(STREAMING_BATCH);
    flow.write(big);
    vi.advanceTimersToNextTimer();
    expect(sent).toEqual([big]);
    flow.write('c');
    flow.write('d');
    vi.advanceTimersByTime(BATCH_MS - 1);
    expect(sent).toEqual([big]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([big, 'cd']);
    // A quiet moment later, output goes out at once again.
    vi.advanceTimersByTime(BATCH_MS);
    flow.write('e');
    vi.advanceTimersToNextTimer();
    expect(sent.at(-1)).toBe('e');
  });

  it('sends a full batch at once, in pieces no bigger than a batch', () => {
    flow.write('x'.repeat(MAX_BATCH * 2 + 10));
    expect(sent.map((s) => s.length)).toEqual([MAX_BATCH, MAX_BATCH, 10]);
  });

  it('blocks past the high watermark and unblocks under the low one', () => {
    const chunk = 'y'.repeat(MAX_BATCH);
    while (flow.inFlight <= HIGH_WATERMARK) flow.write(chunk);
    expect(pressure).toEqual([true]);
    flow.ack(flow.inFlight - LOW_WATERMARK - 1);
    expect(pressure).toEqual([true]);
    flow.ack(1);
    expect(pressure).toEqual([true, false]);
    expect(flow.inFlight).toBe(LOW_WATERMARK);
    flow.ack(10 * HIGH_WATERMARK);
    expect(flow.inFlight).toBe(0);
  });

  it('forgets what was in flight when the page changes, and unblocks', () => {
    while (flow.inFlight <= HIGH_WATERMARK) flow.write('z'.repeat(MAX_BATCH));
    flow.write('pending');
    const other: string[] = [];
    flow.switchTo({ send: (d) => other.push(d) });
    expect(pressure).toEqual([true, false]);
    expect(flow.inFlight).toBe(0);
    vi.runAllTimers();
    expect(other).toEqual([]);
    flow.switchTo(undefined);
    flow.write('nobody');
    vi.runAllTimers();
    expect(other).toEqual([]);
  });
});
