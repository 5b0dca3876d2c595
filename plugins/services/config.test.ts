import { describe, expect, it } from 'vitest';
import { fakeHost, startPluginTest } from '../../test/kit/index.ts';
import services from './index.ts';

/** What Aura says about plugins.services when it refuses to start (nothing when it starts). */
async function problems(settings: Record<string, unknown>): Promise<string[]> {
  const kit = await startPluginTest({
    plugins: [services],
    settings: { services: settings },
    hosts: { local: fakeHost() },
  }).catch((e: { problems?: string[] }) => e.problems ?? expect.unreachable(String(e)));
  if (Array.isArray(kit)) return kit;
  await kit.close();
  return [];
}

describe('plugins.services in the config', () => {
  it('takes units with an optional name and description, and a privilege per server', async () => {
    expect(await problems({})).toEqual([]);
    expect(
      await problems({
        units: { box: [{ unit: 'web.service', name: 'The web', description: 'The web app' }, { unit: 'backup.timer' }] },
        privilege: { box: 'polkit', other: 'sudo' },
      }),
    ).toEqual([]);
  });

  it('names each key that is wrong, and why', async () => {
    expect(
      await problems({
        units: { box: [{ unit: 'nginx' }, { unit: 'web.service', name: '' }, { unit: 'a.service', color: 'red' }] },
        privilege: { box: 'root' },
        extra: 1,
      }),
    ).toEqual([
      'plugins.services.units.box.0.unit: must be a unit name like app.service',
      'plugins.services.units.box.1.name: Too small: expected string to have >=1 characters',
      'plugins.services.units.box.2: Unrecognized key: "color"',
      'plugins.services.privilege.box: Invalid option: expected one of "sudo"|"polkit"',
      'plugins.services: Unrecognized key: "extra"',
    ]);
  });
});
