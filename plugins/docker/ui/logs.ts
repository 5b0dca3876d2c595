import type { LogLine } from '@aura/ui';
import type { LogsAnswer } from './types.ts';

/** A container's output line as the shared drawer shows it; stderr says so in words. */
export type DockerLine = LogLine & { time: number; stream?: 'stdout' | 'stderr' };

export const toLine = (l: LogsAnswer['lines'][number]): DockerLine => ({
  time: l.time,
  text: l.text,
  stream: l.stream,
  ...(l.stream === 'stderr' ? { tag: 'stderr' } : {}),
});

const key = (l: DockerLine) => `${l.time}\n${l.stream ?? ''}\n${l.text}`;

/**
 * The lines already shown together with a history read again (after following starts, or
 * after a reconnect), each line once, in time order: the history fills what the follow missed
 * and the follow adds what came after. A line the two have in common counts once, but two
 * identical lines logged in the same millisecond stay two.
 */
export function mergeLines(shown: DockerLine[], history: DockerLine[]): DockerLine[] {
  const have = new Map<string, number>();
  for (const l of shown) have.set(key(l), (have.get(key(l)) ?? 0) + 1);
  const out = [...shown];
  for (const l of history) {
    const n = have.get(key(l)) ?? 0;
    if (n > 0) have.set(key(l), n - 1);
    else out.push(l);
  }
  // Stable: lines of the same millisecond keep the order they came in.
  return out.sort((a, b) => a.time - b.time);
}
