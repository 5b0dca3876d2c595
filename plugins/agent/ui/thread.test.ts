import { describe, expect, it } from 'vitest';
import type { Conversation } from '../conversations.ts';
import { applyEvent, itemsOf, type Item } from './thread.ts';

const at = '2026-12-07T00:00:00.000Z';
const call = (callId: string, tool: string, args: Record<string, unknown> = {}) => ({ callId, tool, serverId: 'box', args });

describe('the thread of a stored conversation', () => {
  it('shows messages, answers and one card per call, each with how it ended', () => {
    const conversation: Pick<Conversation, 'messages' | 'approval'> = {
      approval: { approvalId: 'c.1', ...call('c4', 'services.restart', { unit: 'cron.service' }) },
      messages: [
        { role: 'user', text: 'Check box', serverId: 'box', at },
        {
          role: 'assistant',
          text: 'Looking.',
          toolCalls: [
            call('c1', 'ports.list'),
            call('c2', 'services.restart'),
            call('c3', 'nope'),
            call('c4', 'services.restart'),
            call('c5', 'services.restart'),
          ],
          at,
        },
        { role: 'tool', callId: 'c1', tool: 'ports.list', ok: true, result: '[]', at },
        { role: 'tool', callId: 'c2', tool: 'services.restart', ok: false, error: { code: 'TOOL_REJECTED', detail: 'no' }, at },
        { role: 'tool', callId: 'c3', tool: 'nope', ok: false, error: { code: 'TOOL_NOT_OFFERED', detail: 'x' }, at },
        { role: 'assistant', text: '', toolCalls: [call('c6', 'docker.restart')], at },
        {
          role: 'tool',
          callId: 'c6',
          tool: 'docker.restart',
          ok: false,
          error: { code: 'HOST_KEY_MISMATCH', detail: 'd' },
          approvedBy: 'admin',
          at,
        },
      ],
    };
    const items = itemsOf(conversation);
    expect(items.map((i) => (i.kind === 'tool' ? `${i.callId}:${i.state}` : i.kind))).toEqual([
      'user',
      'answer',
      'c1:done',
      'c2:rejected',
      'c3:not-run',
      'c4:waiting',
      'c5:queued',
      'c6:failed',
    ]);
    expect(items[2]).toMatchObject({ result: '[]', serverId: 'box' });
    expect(items[7]).toMatchObject({ approvedBy: 'admin', error: { code: 'HOST_KEY_MISMATCH' } });
  });

  it('shows no empty answer for a model turn that only called tools', () => {
    const items = itemsOf({ approval: null, messages: [{ role: 'assistant', text: '', toolCalls: [], at }] });
    expect(items).toEqual([]);
  });
});

describe('a turn as its events arrive', () => {
  it('joins tokens into one live answer, and starts a new one after a tool call', () => {
    const items: Item[] = [{ kind: 'user', text: 'hi', serverId: 'local' }];
    applyEvent(items, { event: 'token', data: { text: 'Port ' } });
    applyEvent(items, { event: 'token', data: { text: '22' } });
    applyEvent(items, { event: 'tool_start', data: { callId: 'a', tool: 'ports.list', serverId: 'local', args: { x: 1 } } });
    expect(items[1]).toEqual({ kind: 'answer', text: 'Port 22', live: false });
    expect(items[2]).toMatchObject({ kind: 'tool', state: 'running', args: { x: 1 }, serverId: 'local' });
    applyEvent(items, { event: 'tool_end', data: { callId: 'a', tool: 'ports.list', ok: true, result: '{"n":1}' } });
    expect(items[2]).toMatchObject({ state: 'done', result: '{"n":1}' });
    applyEvent(items, { event: 'token', data: { text: 'Done.' } });
    expect(items).toHaveLength(4);
    expect(items[3]).toEqual({ kind: 'answer', text: 'Done.', live: true });
    applyEvent(items, { event: 'done', data: {} });
    expect(items[3]).toMatchObject({ live: false });
  });

  it('gives a card to a call that ends without having started (rejected, not offered)', () => {
    const items: Item[] = [];
    applyEvent(items, {
      event: 'tool_end',
      data: { callId: 'b', tool: 'exec.run', ok: false, error: { code: 'TOOL_NOT_OFFERED', detail: 'd' } },
    });
    expect(items).toEqual([
      {
        kind: 'tool',
        callId: 'b',
        tool: 'exec.run',
        serverId: null,
        args: {},
        state: 'not-run',
        error: { code: 'TOOL_NOT_OFFERED', detail: 'd' },
        result: undefined,
        approvedBy: undefined,
      },
    ]);
  });
});
