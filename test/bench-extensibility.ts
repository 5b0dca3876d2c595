/**
 * The extensibility figures for `npm run bench`: what the commands plugin adds to running a
 * configured tool (against spawning the same program here), and what GET /api/openapi.json
 * costs and weighs with every built-in plugin started.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StartAura } from './bench.ts';
import { adminToken } from './harness/requests.ts';
import { stop } from './harness/processes.ts';

const ROUNDS = 40;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(times: number, once: () => Promise<unknown> | unknown): Promise<number> {
  await once(); // warm: the route, the schema, the program in the page cache
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await once();
    ms.push(performance.now() - started);
  }
  return median(ms);
}

export async function extensibilityBench(startAura: StartAura, password: string): Promise<string[][]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aura-bench-ext-'));
  const config = path.join(root, 'aura.yaml');
  const tool = { id: 'echo', title: 'Echo', description: 'Says a word.', argv: ['echo', '{word}'], readOnly: true };
  writeFileSync(
    config,
    JSON.stringify({ plugins: { commands: { tools: [{ ...tool, params: { word: { pattern: '[a-z]+' } } }] } } }),
  );
  const aura = await startAura({ config });
  try {
    const token = await adminToken(aura.url, password);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const viaAura = await timed(ROUNDS, async () => {
      const res = await fetch(`${aura.url}/api/servers/local/commands/echo/run`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ params: { word: 'hello' } }),
      });
      if ((await res.json()).stdout !== 'hello\n') throw new Error('the tool did not answer');
    });
    const byHand = await timed(ROUNDS, () => spawnSync('echo', ['hello']));
    let bytes = 0;
    const openapi = await timed(ROUNDS, async () => {
      bytes = (await (await fetch(`${aura.url}/api/openapi.json`, { headers })).arrayBuffer()).byteLength;
    });
    return [
      ['commands tool run over HTTP (median)', `${viaAura.toFixed(1)} ms`, ''],
      ['the same program spawned here (median)', `${byHand.toFixed(1)} ms`, ''],
      ["Aura's own time per tool run", `${(viaAura - byHand).toFixed(1)} ms`, 'goal ≤ 10 ms'],
      ['GET /api/openapi.json (median)', `${openapi.toFixed(1)} ms`, 'goal ≤ 50 ms'],
      ['OpenAPI document, all plugins', `${(bytes / 1024).toFixed(0)} KiB`, ''],
    ];
  } finally {
    await stop(aura.child);
    rmSync(aura.dataDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}
