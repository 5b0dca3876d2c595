import { describe, expect, it } from 'vitest';
import { fakeHost } from './fake-host.ts';

describe('fakeHost files', () => {
  const host = fakeHost(
    {},
    { files: { '/etc/app/a.conf': 'a', '/etc/app/sub/b.conf': 'b' }, dirs: ['/var/empty/', '/etc/app/none'] },
  );

  it('lists a folder from the files and empty folders under it, each name once, and reads them', async () => {
    expect((await host.readDir('/etc/app')).sort()).toEqual(['a.conf', 'none', 'sub']);
    expect(await host.readDir('/var')).toEqual(['empty']);
    expect((await host.readFile('/etc/app/sub/b.conf')).toString()).toBe('b');
  });

  it('has the empty folders it is given, and no others', async () => {
    expect(await host.readDir('/var/empty')).toEqual([]);
    expect(await host.readDir('/etc/app/none/')).toEqual([]);
    await expect(host.readDir('/var/missing')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(host.readFile('/var/empty')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
