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

/** plugins.services.units: per server id, the only units Aura may read or touch. */
export const servicesConfig = z.object({ units: z.record(z.string(), z.array(managedUnit)).default({}) }).strict();

export type ServicesConfig = z.infer<typeof servicesConfig>;
