import { describe, expect, it } from 'vitest';
import { deployConfig, within } from './config.ts';

/** Each issue of a settings object as `path: message`, or [] when it parses. */
const problems = (settings: unknown) => {
  const r = deployConfig.safeParse(settings);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
/** The problems of one app on server `local`, under the default roots. */
const appProblems = (app: Record<string, unknown>) =>
  problems({ apps: { local: [{ id: 'web', dir: '/srv/web', ...app }] } }).map((p) => p.replace(/^apps\.local\.0\./, ''));
const parsedApp = (app: Record<string, unknown>) =>
  deployConfig.parse({ apps: { local: [{ id: 'web', dir: '/srv/web', ...app }] } }).apps.local![0]!;

describe('plugins.deploy settings', () => {
  it('fills in what is left out', () => {
    expect(deployConfig.parse({})).toEqual({ apps: {}, roots: ['/srv', '/opt', '/home', '/var/www'], keepRuns: 50 });
    expect(parsedApp({})).toEqual({
      id: 'web',
      dir: '/srv/web',
      branch: 'main',
      runtime: 'none',
      venv: '.venv',
      build: [],
      healthTimeoutSeconds: 30,
    });
  });

  it('takes a full app', () => {
    const app = {
      id: 'shop-2',
      dir: '/var/www/shop',
      branch: 'release/1.2',
      unit: 'shop@blue.service',
      runtime: 'python',
      venv: 'env/py3',
      install: ['pip', 'install', '-r', 'requirements.txt'],
      build: [['make'], ['npm', 'run', 'build']],
      healthCheck: { url: 'http://127.0.0.1:8080/health' },
      healthTimeoutSeconds: 600,
      webhookSecretEnv: 'SHOP_WEBHOOK_SECRET',
    };
    expect(deployConfig.parse({ apps: { 'web-1': [app] }, roots: ['/srv', '/var/www'], keepRuns: 1000 })).toEqual({
      apps: { 'web-1': [app] },
      roots: ['/srv', '/var/www'],
      keepRuns: 1000,
    });
  });

  it('refuses unknown keys, at the top and in an app', () => {
    expect(problems({ app: {} })).toEqual([': Unrecognized key: "app"']);
    expect(appProblems({ direcotry: '/srv/x' })).toEqual(['apps.local.0: Unrecognized key: "direcotry"']);
  });

  it.each(['a', '0', 'web', 'my-app-2', '9lives', `a${'-'.repeat(62)}`])('takes the app id %j', (id) => {
    expect(appProblems({ id })).toEqual([]);
  });

  it.each(['', 'Web', '-web', 'web_app', 'web!', 'web app', 'a/b', '../x', 'web\n', `a${'-'.repeat(63)}`])(
    'refuses the app id %j',
    (id) => {
      expect(appProblems({ id })).toEqual(['id: lowercase letters, digits and dashes, at most 63']);
    },
  );

  it.each(['main', 'a', 'feature/x-1', 'release/1.2', 'v1.0_rc', 'a.locked', 'lock', 'x.lock/y', 'a.b/c.d', 'a'.repeat(200)])(
    'takes the branch %j',
    (branch) => {
      expect(appProblems({ branch })).toEqual([]);
      expect(parsedApp({ branch }).branch).toBe(branch);
    },
  );

  it.each([
    '',
    '-x',
    '--upload-pack=touch /tmp/pwned',
    'a..b',
    'release..x',
    '..',
    'a//b',
    'feature//x',
    'a.lock',
    'feature.lock',
    'a/',
    'feature/',
    'a.',
    'main.',
    'a b',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[b',
    'a\\b',
    'a@{1}',
    'a\nb',
    'a'.repeat(201),
  ])('refuses the branch %j', (branch) => {
    expect(appProblems({ branch })).toEqual(['branch: must be a branch name (no leading dash, no ..)']);
  });

  it('takes absolute dirs and writes them one way', () => {
    expect(parsedApp({ dir: '/srv/web/' }).dir).toBe('/srv/web');
    expect(parsedApp({ dir: '/srv/web//' }).dir).toBe('/srv/web');
    expect(parsedApp({ dir: '/srv//web' }).dir).toBe('/srv/web');
    expect(parsedApp({ dir: '/srv/.web/a..b/c.' }).dir).toBe('/srv/.web/a..b/c.');
    expect(parsedApp({ dir: '/srv' }).dir).toBe('/srv');
    expect(parsedApp({ dir: '/srv/my app~ (2)' }).dir).toBe('/srv/my app~ (2)');
    expect(parsedApp({ dir: `/srv/${'x'.repeat(4091)}` }).dir).toHaveLength(4096);
  });

  it.each([
    ['srv/web', ['must be an absolute path']],
    ['./srv/web', ['must be an absolute path', 'must not contain .. or . segments']],
    ['/srv/we\0b', ['must not contain control characters']],
    ['/srv/web\n', ['must not contain control characters']],
    ['/srv/a\nReadWritePaths=/', ['must not contain control characters']],
    ['/srv/\x1fweb', ['must not contain control characters']],
    ['/srv/\x7fweb', ['must not contain control characters']],
    ['srv/\tweb', ['must be an absolute path', 'must not contain control characters']],
    ['/srv/../etc', ['must not contain .. or . segments']],
    ['/srv/web/..', ['must not contain .. or . segments']],
    ['/srv/./web', ['must not contain .. or . segments']],
    ['/srv/web/.', ['must not contain .. or . segments']],
  ])('refuses the dir %j', (dir, messages) => {
    expect(appProblems({ dir }).filter((p) => !p.includes('plugins.deploy.roots'))).toEqual(messages.map((m) => `dir: ${m}`));
  });

  it('refuses dirs that are too short or too long', () => {
    expect(appProblems({ dir: '/' })[0]).toMatch(/^dir: Too small/);
    expect(appProblems({ dir: `/srv/${'x'.repeat(4092)}` })[0]).toMatch(/^dir: Too big/);
  });

  it('keeps every app inside a root, which is not merely a name starting the same', () => {
    const outside = 'dir: must be inside one of plugins.deploy.roots (/srv, /opt, /home, /var/www)';
    expect(appProblems({ dir: '/etc/web' })).toEqual([outside]);
    expect(appProblems({ dir: '/srv2/web' })).toEqual([outside]);
    expect(appProblems({ dir: '/srvweb' })).toEqual([outside]);
    expect(appProblems({ dir: '/opt/srv/web' })).toEqual([]);
    expect(appProblems({ dir: '/home/me/app' })).toEqual([]);
    const roots = (dir: string, r: string[]) =>
      problems({ roots: r, apps: { local: [{ id: 'x', dir }], 'web-1': [{ id: 'x', dir }] } });
    expect(roots('/data/x', ['/data/'])).toEqual([]);
    expect(roots('/data/x', ['/srv'])).toEqual([
      'apps.local.0.dir: must be inside one of plugins.deploy.roots (/srv)',
      'apps.web-1.0.dir: must be inside one of plugins.deploy.roots (/srv)',
    ]);
  });

  it('checks roots as it checks dirs, and wants at least one', () => {
    expect(problems({ roots: [] })).toEqual(['roots: Too small: expected array to have >=1 items']);
    expect(problems({ roots: ['srv'] })).toEqual(['roots.0: must be an absolute path']);
    expect(problems({ roots: ['/srv/../etc'] })).toEqual(['roots.0: must not contain .. or . segments']);
    expect(deployConfig.parse({ roots: ['/srv//apps/'] }).roots).toEqual(['/srv/apps']);
  });

  it('refuses an app id listed twice for one server, but not on two servers', () => {
    const app = { id: 'web', dir: '/srv/web' };
    expect(problems({ apps: { local: [app, { ...app, dir: '/srv/web2' }, app] } })).toEqual([
      'apps.local.1.id: "web" is listed twice',
      'apps.local.2.id: "web" is listed twice',
    ]);
    expect(problems({ apps: { local: [app], 'web-1': [app] } })).toEqual([]);
  });

  it('issues its own refusals as custom issues', () => {
    const r = deployConfig.safeParse({
      apps: {
        local: [
          { id: 'web', dir: '/etc/web' },
          { id: 'web', dir: '/srv/web' },
        ],
      },
    });
    expect(r.error?.issues).toEqual([
      { code: 'custom', path: ['apps', 'local', 0, 'dir'], message: expect.stringMatching(/^must be inside/) },
      { code: 'custom', path: ['apps', 'local', 1, 'id'], message: '"web" is listed twice' },
    ]);
  });

  it('takes only a systemd service as the unit', () => {
    for (const unit of ['web.service', 'web@1.service', 'my_app-2:x.service', 'a.b.service', `${'a'.repeat(240)}.service`])
      expect(appProblems({ unit })).toEqual([]);
    for (const unit of [
      'web',
      '.service',
      'web.socket',
      'web.service.bak',
      'web.service\n',
      'a/b.service',
      '-/x.service',
      'a b.service',
      `${'a'.repeat(241)}.service`,
    ])
      expect(appProblems({ unit })).toEqual(['unit: must be a unit name like app.service']);
  });

  it('takes the runtimes it knows', () => {
    for (const runtime of ['python', 'node', 'none']) expect(parsedApp({ runtime }).runtime).toBe(runtime);
    expect(appProblems({ runtime: 'ruby' })).toHaveLength(1);
    expect(appProblems({ runtime: '' })).toHaveLength(1);
  });

  it('keeps the venv inside the app dir', () => {
    for (const venv of ['.venv', 'env/py3', 'a', '.v.e', 'a'.repeat(200)]) expect(parsedApp({ venv }).venv).toBe(venv);
    for (const venv of ['', '/usr', '/.venv', '../x', 'a/../b', 'env/..', 'a b', 'a;b', 'a\n', 'a'.repeat(201)])
      expect(appProblems({ venv })).toEqual(['venv: a path inside dir']);
  });

  it('takes install and build commands as argv, without NUL bytes', () => {
    const many = Array.from({ length: 100 }, (_, i) => `a${i}`);
    expect(appProblems({ install: ['x'], build: [['a', 'b'], many] })).toEqual([]);
    expect(appProblems({ install: ['x'.repeat(4096)] })).toEqual([]);
    expect(appProblems({ build: Array.from({ length: 20 }, () => ['make']) })).toEqual([]);
    expect(appProblems({ install: [] })).toEqual(['install: Too small: expected array to have >=1 items']);
    expect(appProblems({ install: [...many, 'x'] })).toEqual(['install: Too big: expected array to have <=100 items']);
    expect(appProblems({ install: ['npm', ''] })).toEqual(['install.1: Too small: expected string to have >=1 characters']);
    expect(appProblems({ install: ['x'.repeat(4097)] })).toEqual([
      'install.0: Too big: expected string to have <=4096 characters',
    ]);
    expect(appProblems({ install: ['npm', 'c\0i'] })).toEqual(['install.1: no NUL bytes']);
    expect(appProblems({ build: [['make', '\0']] })).toEqual(['build.0.1: no NUL bytes']);
    expect(appProblems({ build: Array.from({ length: 21 }, () => ['make']) })).toEqual([
      'build: Too big: expected array to have <=20 items',
    ]);
  });

  it('takes an http(s) URL or an argv as the health check, not both', () => {
    for (const healthCheck of [
      { url: 'http://127.0.0.1:8080/health' },
      { url: 'https://shop.example.org/' },
      { argv: ['curl', '-f', 'http://localhost/'] },
    ])
      expect(parsedApp({ healthCheck }).healthCheck).toEqual(healthCheck);
    expect(appProblems({ healthCheck: { url: 'ftp://example.org/' } })).toEqual(['healthCheck.url: must be http(s)']);
    expect(appProblems({ healthCheck: { url: 'ftp://example.org/http://x' } })).toEqual(['healthCheck.url: must be http(s)']);
    expect(appProblems({ healthCheck: { url: 'file:///etc/passwd' } })).toEqual(['healthCheck.url: must be http(s)']);
    expect(appProblems({ healthCheck: { argv: ['curl', 'a\0'] } })).toEqual(['healthCheck.argv.1: no NUL bytes']);
    expect(appProblems({ healthCheck: {} })).toEqual(['healthCheck: Invalid input']);
    expect(appProblems({ healthCheck: { url: 'http://x/', argv: ['true'] } })).toEqual(['healthCheck: Invalid input']);
  });

  it('bounds the health timeout and the runs kept', () => {
    for (const healthTimeoutSeconds of [1, 30, 600]) expect(appProblems({ healthTimeoutSeconds })).toEqual([]);
    for (const healthTimeoutSeconds of [0, 601, 1.5]) expect(appProblems({ healthTimeoutSeconds })).toHaveLength(1);
    for (const keepRuns of [1, 50, 1000]) expect(problems({ keepRuns })).toEqual([]);
    for (const keepRuns of [0, 1001, 2.5]) expect(problems({ keepRuns })).toHaveLength(1);
  });

  it('takes up to 100 apps per server', () => {
    const apps = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `app-${i}`, dir: `/srv/app-${i}` }));
    expect(problems({ apps: { local: apps(100) } })).toEqual([]);
    expect(problems({ apps: { local: apps(101) } })).toEqual(['apps.local: Too big: expected array to have <=100 items']);
  });

  it('names the webhook secret by an environment variable name', () => {
    for (const webhookSecretEnv of ['A', 'HOOK_SECRET', 'SHOP_2', `A${'B'.repeat(63)}`])
      expect(appProblems({ webhookSecretEnv })).toEqual([]);
    for (const webhookSecretEnv of ['', 'hook', 'Hook', '1A', '_A', 'A-B', 'A B', ' A', 'A\n', `A${'B'.repeat(64)}`])
      expect(appProblems({ webhookSecretEnv })).toEqual([
        'webhookSecretEnv: an environment variable name like MYAPP_WEBHOOK_SECRET',
      ]);
  });
});

describe('within', () => {
  it('is true for the root itself and what is below it', () => {
    expect(within('/srv', '/srv')).toBe(true);
    expect(within('/srv/web', '/srv')).toBe(true);
    expect(within('/srv/web/a/b', '/srv')).toBe(true);
    // A root as realpath might not write it.
    expect(within('/srv/web', '/srv/')).toBe(true);
    expect(within('/srv/web', '/srv//')).toBe(true);
    expect(within('/srv', '/srv/')).toBe(true);
  });

  it('takes everything inside / as inside', () => {
    expect(within('/etc', '/')).toBe(true);
    expect(within('/', '/')).toBe(true);
  });

  it('is false for a name that merely starts the same, a parent or elsewhere', () => {
    expect(within('/srv2', '/srv')).toBe(false);
    expect(within('/srv2/web', '/srv')).toBe(false);
    expect(within('/srv', '/srv/web')).toBe(false);
    expect(within('/opt/srv/web', '/srv')).toBe(false);
    expect(within('/opt/srv/', '/srv')).toBe(false);
  });
});
