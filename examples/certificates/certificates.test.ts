import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreErrors } from 'aura/plugin';
import { fakeHost, realLocalHost, startPluginTest, type PluginTest } from 'aura/test-kit';
import { certificatesPlugin } from './index.ts';
import { DAY_MS, makeCertificates } from './test-certificates.ts';
import type { CertificateList } from './types.ts';

const LIVE = '/etc/letsencrypt/live';
const pems = makeCertificates();
/** Three days after the certificates were made: the 10-day one has 7 left, the 200-day one 197. */
const clock = () => pems.issuedAt + 3 * DAY_MS;
const names = (list: CertificateList) => list.certificates.map((c) => c.name);

/** The route and the tool in-process on scripted servers that serve real PEM files: milliseconds, no root. */
describe('certificates on scripted servers', () => {
  let kit: PluginTest;
  const local = fakeHost(
    {},
    {
      files: {
        [`${LIVE}/README`]: 'This directory contains your keys and certificates.\n',
        [`${LIVE}/soon.example.org/cert.pem`]: pems.soon,
        [`${LIVE}/later.example.org/cert.pem`]: pems.later,
        [`${LIVE}/broken/cert.pem`]: 'not a certificate\n',
        [`${LIVE}/keyonly/privkey.pem`]: 'a key, and no cert.pem beside it\n',
      },
    },
  );
  const bare = fakeHost({}, { id: 'bare' });
  const locked = Object.assign(fakeHost({}, { id: 'locked' }), {
    readDir: (dir: string) => Promise.reject(coreErrors.FILE_PERMISSION_DENIED(`Permission denied: ${dir}`)),
  });

  beforeAll(async () => {
    kit = await startPluginTest({ plugins: [certificatesPlugin({ now: clock })], hosts: { local, bare, locked } });
  });
  afterAll(() => kit?.close());

  const list = async (serverId: string) => {
    const res = await kit.request(`/api/servers/${serverId}/certificates`, { as: 'viewer' });
    return { status: res.status, body: (await res.json()) as CertificateList & { code?: string; detail?: string } };
  };

  it('lists each folder: unreadable ones first, then by days left', async () => {
    const { status, body } = await list('local');
    expect(status).toBe(200);
    expect(body).toMatchObject({ dir: LIVE, warnDays: 30 });
    expect(names(body)).toEqual(['broken', 'keyonly', 'soon.example.org', 'later.example.org']);
    expect(body.certificates[2]).toMatchObject({
      path: `${LIVE}/soon.example.org/cert.pem`,
      subject: 'CN=soon.example.org',
      issuer: 'O=Aura Test, CN=Aura Test CA',
      altNames: ['soon.example.org', 'www.soon.example.org', 'IP Address:192.0.2.1'],
      daysLeft: 7,
      expiringSoon: true,
    });
    expect(body.certificates[3]).toMatchObject({ daysLeft: 197, expiringSoon: false });
  });

  it("shows a garbage cert.pem, and a folder without one, as entries with their catalogue's codes", async () => {
    const { body } = await list('local');
    expect(body.certificates[0]).toEqual({
      name: 'broken',
      path: `${LIVE}/broken/cert.pem`,
      error: { code: 'CERTIFICATE_INVALID', detail: expect.stringContaining(`${LIVE}/broken/cert.pem is not a PEM certificate`) },
    });
    expect(body.certificates[1]).toMatchObject({
      name: 'keyonly',
      error: { code: 'CERTIFICATE_UNREADABLE', detail: `${LIVE}/keyonly/cert.pem: No such file: ${LIVE}/keyonly/cert.pem` },
    });
  });

  it('answers a missing folder with an empty list and a note, and permission denied with the core error', async () => {
    expect(await list('bare')).toEqual({
      status: 200,
      body: { dir: LIVE, warnDays: 30, certificates: [], note: `${LIVE} does not exist on bare: no certificates to show.` },
    });
    expect(await list('locked')).toEqual({
      status: 403,
      body: { code: 'FILE_PERMISSION_DENIED', detail: `Permission denied: ${LIVE}` },
    });
  });

  it('refuses strangers', async () => {
    expect((await kit.request('/api/servers/local/certificates', { as: 'stranger' })).status).toBe(401);
  });

  it('offers certificates.list to the agent: read-only, with serverId added by the core', () => {
    const tool = kit.aura.tools.list().find((t) => t.name === 'certificates.list');
    expect(tool).toMatchObject({ plugin: 'certificates', readOnly: true, destructive: false });
    expect(tool?.inputSchema).toMatchObject({
      type: 'object',
      properties: {
        expiringWithinDays: { type: 'integer', minimum: 0, maximum: 3650 },
        serverId: { type: 'string', default: 'local' },
      },
    });
  });

  it('answers the tool with those expiring within the days asked, and those it could not read', async () => {
    const soon = (await kit.tool('certificates.list', { expiringWithinDays: 30 }, { as: 'viewer' })) as CertificateList;
    expect(names(soon)).toEqual(['broken', 'keyonly', 'soon.example.org']);
    const all = (await kit.tool('certificates.list', { serverId: 'local' })) as CertificateList;
    expect(names(all)).toHaveLength(4);
    await expect(kit.tool('certificates.list', { expiringWithinDays: -1 })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(kit.tool('certificates.list', { serverId: 'locked' })).rejects.toMatchObject({ code: 'FILE_PERMISSION_DENIED' });
  });
});

describe('certificates settings', () => {
  it('puts on the card (expiringSoon) only those within the configured warnDays, in the configured dir', async () => {
    const host = fakeHost({}, { files: { '/srv/tls/a/cert.pem': pems.soon, '/srv/tls/b/cert.pem': pems.later } });
    const kit = await startPluginTest({
      plugins: [certificatesPlugin({ now: () => pems.issuedAt + 175 * DAY_MS })],
      hosts: { local: host },
      settings: { certificates: { dir: '/srv/tls/', warnDays: 25 } },
    });
    try {
      const body = (await (await kit.request('/api/servers/local/certificates')).json()) as CertificateList;
      expect(body.dir).toBe('/srv/tls');
      expect(body.certificates.map((c) => [c.name, !c.error && c.daysLeft, !c.error && c.expiringSoon])).toEqual([
        ['a', -165, true],
        ['b', 25, true],
      ]);
    } finally {
      await kit.close();
    }
  });
});

/** The same through a real host: files on this machine, a folder laid out as certbot does (symlinks into archive/). */
describe('certificates on this machine', () => {
  let kit: PluginTest;
  const root = mkdtempSync(path.join(os.tmpdir(), 'aura-letsencrypt-'));
  const live = path.join(root, 'live');

  beforeAll(async () => {
    for (const [name, pem] of [
      ['soon.example.org', pems.soon],
      ['later.example.org', pems.later],
    ] as const) {
      mkdirSync(path.join(root, 'archive', name), { recursive: true });
      writeFileSync(path.join(root, 'archive', name, 'cert1.pem'), pem);
      mkdirSync(path.join(live, name), { recursive: true });
      symlinkSync(`../../archive/${name}/cert1.pem`, path.join(live, name, 'cert.pem'));
    }
    writeFileSync(path.join(live, 'README'), 'This directory contains your keys and certificates.\n');
    writeFileSync(path.join(live, 'stray.txt'), 'not a folder\n');
    kit = await startPluginTest({
      plugins: [certificatesPlugin({ now: clock })],
      hosts: { local: realLocalHost() },
      settings: { certificates: { dir: live } },
    });
  });
  afterAll(async () => {
    await kit?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads them through readDir and readFile, following the symlinks', async () => {
    const body = (await (await kit.request('/api/servers/local/certificates', { as: 'viewer' })).json()) as CertificateList;
    expect(names(body)).toEqual(['stray.txt', 'soon.example.org', 'later.example.org']);
    expect(body.certificates[0]).toMatchObject({ error: { code: 'CERTIFICATE_UNREADABLE' } });
    expect(body.certificates.slice(1).map((c) => !c.error && [c.subject, c.daysLeft])).toEqual([
      ['CN=soon.example.org', 7],
      ['CN=later.example.org', 197],
    ]);
  });

  it('says when the folder is not there', async () => {
    rmSync(root, { recursive: true, force: true });
    const body = (await (await kit.request('/api/servers/local/certificates')).json()) as CertificateList;
    expect(body).toMatchObject({ certificates: [], note: `${live} does not exist on local: no certificates to show.` });
  });
});
