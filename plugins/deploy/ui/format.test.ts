import { describe, expect, it } from 'vitest';
import { parseAnsi, segmentClass } from './ansi.ts';
import { duration, groupBySteps, redeployConfirmation, cancelConfirmation, webhookUrl } from './format.ts';

const ESC = '\x1b';
const texts = (line: string) => parseAnsi(line).segments.map((s) => [s.text, segmentClass(s)]);

describe('the deploy panel’s helpers', () => {
  it('turns SGR colours into styled segments, and keeps nothing else of an escape', () => {
    expect(texts(`${ESC}[32mok${ESC}[0m plain ${ESC}[1;91mBAD${ESC}[22m still red`)).toEqual([
      ['ok', 'fg2'],
      [' plain ', ''],
      ['BAD', 'fg9 bold'],
      [' still red', 'fg9'],
    ]);
    // 256-colour and RGB foregrounds go to the nearest basic colour; backgrounds are dropped.
    expect(texts(`${ESC}[38;5;196mred${ESC}[38;2;0;0;250;48;5;226mblue${ESC}[39m`)).toEqual([
      ['red', 'fg9'],
      ['blue', 'fg4'],
    ]);
    // Cursor moves, line clears, titles (OSC), bells and other controls vanish; a \r keeps what follows.
    expect(texts(`${ESC}[2K${ESC}]0;title\x07a\x07b${ESC}[1A\tc`)).toEqual([['ab\tc', '']]);
    expect(texts('10%\r50%\r100% done')).toEqual([['100% done', '']]);
    // HTML is text: the panel renders segments as text nodes, never markup.
    expect(texts('<img src=x onerror=alert(1)>')).toEqual([['<img src=x onerror=alert(1)>', '']]);
  });

  it('carries a colour left open onto the next line', () => {
    const first = parseAnsi(`${ESC}[33mwarning: `);
    const next = parseAnsi('still yellow', first.end);
    expect(next.segments.map(segmentClass)).toEqual(['fg3']);
    expect(parseAnsi(`${ESC}[0m`, first.end).end.fg).toBeNull();
  });

  it('puts lines under their step, in order, with steps that printed nothing where they ran', () => {
    const lines = [
      { step: 'fetch', text: 'a' },
      { step: 'update', text: 'b' },
      { step: 'cancel', text: 'Cancelled by admin' },
      { step: 'update', text: 'c' },
    ];
    const steps = [
      { name: 'check', status: 'succeeded' as const, durationMs: 5 },
      { name: 'fetch', status: 'succeeded' as const, durationMs: 10 },
      { name: 'update', status: 'cancelled' as const, durationMs: 20 },
      { name: 'rollback', status: 'running' as const, durationMs: null },
    ];
    const groups = groupBySteps(lines, steps);
    expect(groups.map((g) => [g.name, g.step?.status ?? null, g.lines.map((l) => l.text)])).toEqual([
      ['check', 'succeeded', []],
      ['fetch', 'succeeded', ['a']],
      ['update', 'cancelled', ['b', 'c']],
      ['rollback', 'running', []],
      ['cancel', null, ['Cancelled by admin']],
    ]);
  });

  it('says durations, questions and the webhook URL in words a person reads', () => {
    expect([null, 420, 12_400, 185_000].map(duration)).toEqual(['—', '0.4 s', '12 s', '3 min 5 s']);
    const cancel = cancelConfirmation('site', 'Web server', 'abcdef1234');
    expect(cancel.title).toBe('Cancel the deploy of site on Web server?');
    expect(cancel.body).toMatch(/rolled back to the commit it started from \(abcdef1\)/);
    expect(redeployConfirmation('site', 'Web server', '0123456789', 'site.service').body).toMatch(/site\.service is restarted/);
    expect(webhookUrl('https://panel.example.org', 'web-1', 'site')).toBe(
      'https://panel.example.org/api/servers/web-1/deploy/apps/site/webhook',
    );
  });
});
