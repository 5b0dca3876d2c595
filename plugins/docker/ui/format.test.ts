import { describe, expect, it } from 'vitest';
import { groupByProject, uniquePorts } from './format.ts';
import { mergeLines, toLine } from './logs.ts';
import type { ContainerRow } from './types.ts';

const row = (name: string, composeProject: string | null): ContainerRow => ({
  id: name,
  name,
  image: 'busybox',
  state: 'running',
  status: 'Up',
  ports: [],
  created: 0,
  composeProject,
});

describe('the docker panel’s helpers', () => {
  it('groups containers by compose project, A–Z, with the ungrouped ones last', () => {
    const groups = groupByProject([row('z', null), row('b2', 'web'), row('a', null), row('b1', 'web'), row('c', 'api')]);
    expect(groups.map((g) => [g.project, g.containers.map((c) => c.name)])).toEqual([
      ['api', ['c']],
      ['web', ['b1', 'b2']],
      [null, ['a', 'z']],
    ]);
  });

  it('says each published port once, and bare exposed ones as port/protocol', () => {
    const ports = uniquePorts([
      { privatePort: 80, publicPort: 8080, ip: '0.0.0.0', type: 'tcp' },
      { privatePort: 80, publicPort: 8080, ip: '::', type: 'tcp' },
      { privatePort: 53, type: 'udp' },
      { privatePort: 443, publicPort: 8443, ip: '127.0.0.1', type: 'tcp' },
    ]);
    expect(ports).toEqual(['0.0.0.0:8080→80/tcp', '53/udp', '127.0.0.1:8443→443/tcp']);
  });

  it('merges a history read again with the followed lines: each line once, in time order', () => {
    const line = (time: number, text: string, stream: 'stdout' | 'stderr' = 'stdout') => toLine({ time, text, stream });
    const shown = [line(1, 'a'), line(2, 'b'), line(4, 'live')];
    const history = [line(1, 'a'), line(2, 'b'), line(3, 'missed'), line(3, 'missed'), line(4, 'live')];
    expect(mergeLines(shown, history).map((l) => l.text)).toEqual(['a', 'b', 'missed', 'missed', 'live']);
    // The same words on the other stream are another line, tagged as stderr.
    const merged = mergeLines([line(5, 'x')], [line(5, 'x', 'stderr')]);
    expect(merged.map((l) => l.tag ?? null)).toEqual([null, 'stderr']);
  });
});
