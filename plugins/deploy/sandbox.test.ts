import { describe, expect, it } from 'vitest';
import { deployConfig, type DeployConfig } from './config.ts';
import { sandboxDropIn } from './sandbox.ts';

const config = deployConfig.parse({
  apps: {
    local: [
      { id: 'web', dir: '/srv/web' },
      { id: 'api', dir: '/srv/web/' }, // the same folder, written another way
      { id: 'odd', dir: '/srv/100% "odd" app' },
    ],
    'web-1': [{ id: 'shop', dir: '/var/www/shop' }],
  },
});

describe('npm run aura -- deploy sandbox', () => {
  it("opens exactly the server's app folders, each once, quoted for systemd", () => {
    expect(
      sandboxDropIn(config, 'local')
        .split('\n')
        .filter((l) => !l.startsWith('#')),
    ).toEqual(['[Service]', 'ReadWritePaths=-"/srv/100%% \\"odd\\" app"', 'ReadWritePaths=-"/srv/web"', '']);
    expect(sandboxDropIn(config, 'web-1')).toContain('ReadWritePaths=-"/var/www/shop"\n');
  });

  it('is empty for a server without apps, so that no drop-in is written', () => {
    expect(sandboxDropIn(config, 'nowhere')).toBe('');
    expect(sandboxDropIn(deployConfig.parse({}), 'local')).toBe('');
  });

  it('lets no path start a directive of its own: a control character is refused in the config, and here again', () => {
    const injected = '/srv/site\nExecStartPre=+/bin/sh -c id';
    for (const dir of [injected, '/srv/a\rb', '/srv/a\u0000b', '/srv/a\u007fb']) {
      const parsed = deployConfig.safeParse({ apps: { local: [{ id: 'site', dir }] } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toContainEqual([
        'apps.local.0.dir',
        'must not contain control characters',
      ]);
    }
    const unchecked = { ...config, apps: { local: [{ ...config.apps.local![0]!, dir: injected }] } } as DeployConfig;
    expect(() => sandboxDropIn(unchecked, 'local')).toThrow(/control character/);
  });
});
