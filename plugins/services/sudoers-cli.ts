/**
 * `npm run sudoers -- [--user aura] [--server local] [--bin /usr/bin]`: prints the sudoers drop-in for the
 * units configured for that server, for a user that runs Aura (or that Aura logs in as).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../core/config.ts';
import { ROOT_DIR } from '../../core/version.ts';
import { servicesConfig } from './config.ts';
import { sudoersFile } from './sudoers.ts';

const { values } = parseArgs({
  options: {
    user: { type: 'string', default: 'aura' },
    server: { type: 'string', default: 'local' },
    bin: { type: 'string', default: '/usr/bin' },
  },
});
const { config } = loadConfig(ROOT_DIR);
const { enabled: _enabled, ...settings } = config.plugins.services ?? { enabled: true };
const services = servicesConfig.parse(settings);
process.stdout.write(sudoersFile(values.user!, values.server!, services.units[values.server!] ?? [], values.bin));
