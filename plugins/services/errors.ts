import { defineErrors } from '../../core/index.ts';

/** Every code this plugin answers with, its status and its meaning. */
export const servicesErrors = defineErrors({
  INVALID_UNIT: { status: 400, meaning: 'A unit name is malformed (letters, digits, :_.@-, ending in .service/.socket/.timer).' },
  LIMITS_NOT_SUPPORTED: { status: 400, meaning: 'CPU and memory limits apply to .service units only.' },
  UNIT_NOT_MANAGED: { status: 403, meaning: 'The unit is not listed under plugins.services.units for that server.' },
  JOURNAL_NOT_READABLE: { status: 403, meaning: 'The user Aura runs as cannot read the journal (systemd-journal group).' },
  UNIT_NOT_FOUND: { status: 404, meaning: 'systemd does not know the unit on that server.' },
  TOO_MANY_FOLLOWS: { status: 429, meaning: 'Too many journals are followed on that server at once.' },
  SUDO_REFUSED: {
    status: 502,
    meaning: 'sudo refused a command: install the sudoers file (`npm run aura -- services sudoers`).',
  },
  POLKIT_REFUSED: {
    status: 502,
    meaning: 'polkit refused a change to a unit: install the rules `npm run aura -- services polkit` prints.',
  },
  SYSTEMD_ERROR: { status: 502, meaning: "systemctl or journalctl failed; the detail has systemd's own words." },
  SHUTTING_DOWN: { status: 503, meaning: 'Aura is stopping.' },
  SYSTEMD_UNAVAILABLE: { status: 503, meaning: 'The server does not run systemd.' },
});
