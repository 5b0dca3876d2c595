import { z } from 'zod';

/** Letters, digits and `:_.@-`, ending in .service, .socket or .timer; never a leading dash. */
export const UNIT_NAME = /^[A-Za-z0-9][A-Za-z0-9:_.@-]{0,200}\.(service|socket|timer)$/;

const managedUnit = z
  .object({
    unit: z.string().regex(UNIT_NAME, 'must be a unit name like app.service'),
    name: z.string().min(1).optional(),
    description: z.string().optional(),
  })
  .strict();

export type ManagedUnit = z.infer<typeof managedUnit>;

/**
 * How a non-root Aura gets the right to change units on a server: `sudo` runs the exact
 * commands the sudoers file lists; `polkit` asks systemd itself, which polkit authorizes with
 * the rules `npm run aura -- services polkit` prints (limits then go through set-property).
 */
export const PRIVILEGES = ['sudo', 'polkit'] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/** plugins.services: per server id, the only units Aura may read or touch, and how it may change them. */
export const servicesConfig = z
  .object({
    units: z.record(z.string(), z.array(managedUnit)).default({}),
    /** Per server id; a server not named here uses sudo (as root, neither is needed). */
    privilege: z.record(z.string(), z.enum(PRIVILEGES)).default({}),
  })
  .strict();

export type ServicesConfig = z.infer<typeof servicesConfig>;
