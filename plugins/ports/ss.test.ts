import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSs } from './ss.ts';

const captured = (name: string) => readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8');

describe('parseSs on captured `ss -tulnpH` output', () => {
  it('reads IPv4, IPv6 and wildcard addresses with their processes', () => {
    expect(parseSs(captured('ss-root.txt'))).toEqual([
      { protocol: 'tcp', localAddress: '0.0.0.0', port: 2024, state: 'LISTEN', pid: null, process: null },
      { protocol: 'udp', localAddress: '*', port: 5353, state: 'UNCONN', pid: 18833, process: 'python3' },
      { protocol: 'tcp', localAddress: '127.0.0.1', port: 7071, state: 'LISTEN', pid: 18829, process: 'node' },
      { protocol: 'tcp', localAddress: '::1', port: 7072, state: 'LISTEN', pid: 18831, process: 'python3' },
      { protocol: 'tcp', localAddress: '0.0.0.0', port: 7073, state: 'LISTEN', pid: 18835, process: 'python3' },
      { protocol: 'tcp', localAddress: '127.0.0.1', port: 35839, state: 'LISTEN', pid: 14065, process: 'sshd' },
    ]);
  });

  it('keeps interface scopes, takes the first of several processes, and allows spaces in names', () => {
    const ports = parseSs(captured('ss-ubuntu.txt'));
    expect(ports.map((p) => `${p.protocol} ${p.localAddress} ${p.port} ${p.process}/${p.pid}`)).toEqual([
      'tcp :: 22 sshd/900',
      'udp 127.0.0.53%lo 53 systemd-resolve/641',
      'tcp 0.0.0.0 80 nginx/1203',
      'udp fe80::a00:27ff:fe4e:66a1%enp0s3 546 systemd-network/600',
      'tcp 127.0.0.1 7070 node /srv/aura/4242',
    ]);
  });

  it('leaves pid and process empty when ss cannot see them (not root)', () => {
    const ports = parseSs(captured('ss-unprivileged.txt'));
    expect(ports).toHaveLength(3);
    expect(ports.every((p) => p.pid === null && p.process === null)).toBe(true);
  });

  it('skips lines it cannot read instead of guessing', () => {
    expect(parseSs('')).toEqual([]);
    expect(
      parseSs(
        'Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nraw UNCONN 0 0 *:ipv6-icmp *:*\ntcp LISTEN 0 1 nonsense *:*',
      ),
    ).toEqual([]);
  });
});
