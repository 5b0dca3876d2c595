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

  it('keeps what comes after the mark until the page catches up: never more than one batch past it', () => {
    flow.write('w'.repeat(HIGH_WATERMARK - 10));
    expect(pressure).toEqual([]);
    // One write of three batches: the first crosses the mark, the rest waits.
    flow.write('v'.repeat(MAX_BATCH * 3));
    expect(pressure).toEqual([true]);
    expect(flow.inFlight).toBe(HIGH_WATERMARK - 10 + MAX_BATCH);
    // What the pty had read before it paused, and a flush at its exit: kept, not sent.
    flow.write('late');
    flow.flush();
    vi.runAllTimers();
    expect(flow.inFlight).toBe(HIGH_WATERMARK - 10 + MAX_BATCH);
    const before = sent.length;
    flow.ack(flow.inFlight - LOW_WATERMARK);
    expect(pressure).toEqual([true, false]);
    expect(sent.slice(before).join('')).toBe('v'.repeat(MAX_BATCH * 2) + 'late');
    expect(sent.slice(before).every((s) => s.length <= MAX_BATCH)).toBe(true);
  });

  it("sends everything at the program's exit, held or not, so its last words come before the exit", () => {
    while (flow.inFlight <= HIGH_WATERMARK) flow.write('u'.repeat(MAX_BATCH));
    flow.write('bye');
    flow.flush();
    expect(sent.at(-1)).not.toBe('bye');
    flow.flush(true);
    expect(sent.at(-1)).toBe('bye');
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
