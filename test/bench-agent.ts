/**
 * The agent plugin's figures for `npm run bench`, against the local fake Gemini (no network,
 * no model delays): time to the first streamed token, cold (the first chat loads LangChain)
 * and warm; Aura's own time per turn, which is the turn's wall time less the fake's time
 * answering; and Aura's RSS before and after its first chat.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StartAura } from './bench.ts';
import { startFakeGemini, type FakeGemini } from './harness/gemini.ts';
import { adminToken } from './harness/requests.ts';
import { stop } from './harness/processes.ts';

const ROUNDS = 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

interface Turn {
  /** From sending the message to the first `token` event. */
  firstTokenMs: number;
  /** From sending the message to the end of the stream. */
  totalMs: number;
  events: string[];
}

/** Sends one message and reads its event stream to the end, timing the first token. */
async function turn(base: string, token: string, conversation: string, message: string): Promise<Turn> {
  const t0 = performance.now();
  const res = await fetch(`${base}/conversations/${conversation}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  });
  if (!res.ok || !res.body) throw new Error(`bench chat: ${res.status} ${await res.text()}`);
  const events: string[] = [];
  let firstTokenMs = NaN;
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = /^event: (.*)$/m.exec(buffer.slice(0, end))?.[1] ?? 'message';
      buffer = buffer.slice(end + 2);
      if (event === 'token' && Number.isNaN(firstTokenMs)) firstTokenMs = performance.now() - t0;
      events.push(event);
    }
  }
  if (events.at(-1) !== 'done') throw new Error(`bench chat ended with ${events.join(', ')}`);
  return { firstTokenMs, totalMs: performance.now() - t0, events };
}

/** The fake's own time over the requests from `from` on: what "excluding the fake" takes away. */
function fakeMs(gemini: FakeGemini, from: number): number {
  return gemini.requests.slice(from).reduce((sum, r) => sum + (r.answeredAt ?? r.receivedAt) - r.receivedAt, 0);
}

export async function agentBench(startAura: StartAura, password: string): Promise<string[][]> {
  const gemini = await startFakeGemini();
  const root = mkdtempSync(path.join(os.tmpdir(), 'aura-bench-agent-'));
  const config = path.join(root, 'aura.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      plugins: { agent: { baseUrl: gemini.url, requestsPerMinute: 10_000, dailyTokenBudget: 100_000_000 } },
    }),
  );
  const aura = await startAura({ config, env: { GEMINI_API_KEY: 'bench-gemini-key' } });
  try {
    // As the start-up figures do: let the start settle before reading its memory.
    await new Promise((r) => setTimeout(r, 2000));
    const rssBefore = rssMb(aura.child.pid!);
    const token = await adminToken(aura.url, password);
    const base = `${aura.url}/api/agent`;
    const created = await fetch(`${base}/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { id } = (await created.json()) as { id: string };
    const answer = { parts: [{ text: 'All ' }, { text: 'quiet ' }, { text: 'here.' }] };

    gemini.reply(answer);
    const cold = await turn(base, token, id, 'How is the box?');
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = rssMb(aura.child.pid!);

    const firstTokens: number[] = [];
    const ownTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // A fresh conversation each round, so that a growing history is not what is measured.
      const conv = await fetch(`${base}/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      }).then((r) => r.json() as Promise<{ id: string }>);
      const from = gemini.requests.length;
      gemini.reply(answer);
      const t = await turn(base, token, conv.id, 'How is the box?');
      firstTokens.push(t.firstTokenMs);
      ownTimes.push(t.totalMs - fakeMs(gemini, from));
    }

    const toolTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const from = gemini.requests.length;
      gemini.reply({ parts: [{ functionCall: { name: 'ports.list', args: {} } }] }, { parts: [{ text: 'Port 7070.' }] });
      const t = await turn(base, token, id, 'What listens?');
      if (!t.events.includes('tool_end')) throw new Error('bench chat: ports.list did not run');
      toolTimes.push(t.totalMs - fakeMs(gemini, from));
    }
    return [
      ['first chat: time to first token (loads LangChain)', `${cold.firstTokenMs.toFixed(0)} ms`, ''],
      [`time to first token (median of ${ROUNDS})`, `${median(firstTokens).toFixed(1)} ms`, ''],
      [`Aura's time per text turn, fake excluded`, `${median(ownTimes).toFixed(1)} ms`, ''],
      [`… per turn with a ports.list call (runs ss)`, `${median(toolTimes).toFixed(1)} ms`, ''],
      ['RSS before the first chat', `${rssBefore.toFixed(1)} MB`, ''],
      ['RSS after the first chat', `${rssAfter.toFixed(1)} MB`, `+${(rssAfter - rssBefore).toFixed(1)} MB`],
    ];
  } finally {
    await stop(aura.child);
    await gemini.close();
    rmSync(aura.dataDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}
