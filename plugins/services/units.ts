import { servicesErrors } from './errors.ts';
import { UNIT_NAME, type ManagedUnit, type Privilege, type ServicesConfig } from './config.ts';

/** The managed unit by that name on that server: 400 for a malformed name, 403 for any other unit. */
export function managedUnit(config: ServicesConfig, serverId: string, unit: unknown): ManagedUnit {
  if (typeof unit !== 'string' || !UNIT_NAME.test(unit))
    throw servicesErrors.INVALID_UNIT('A unit name has letters, digits and :_.@- and ends in .service, .socket or .timer.');
  const found = (config.units[serverId] ?? []).find((u) => u.unit === unit);
  if (!found) throw servicesErrors.UNIT_NOT_MANAGED(`${unit} is not one of the services Aura manages on ${serverId}.`);
  return found;
}

export const managedUnits = (config: ServicesConfig, serverId: string): ManagedUnit[] => config.units[serverId] ?? [];

export const privilegeOf = (config: ServicesConfig, serverId: string): Privilege => config.privilege[serverId] ?? 'sudo';
