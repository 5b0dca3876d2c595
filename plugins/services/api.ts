import type { Hosts } from '../../core/index.ts';
import { UNIT_NAME, type ServicesConfig } from './config.ts';
import { servicesErrors } from './errors.ts';
import { runAction, showUnit, type UnitStatus } from './systemctl.ts';
import { privilegeOf } from './units.ts';

/**
 * What other plugins may ask of this one (deploy restarts its apps' units). The caller names
 * the unit from its own admin-written config, so it need not be listed under
 * plugins.services.units; its name is still checked before anything runs.
 */
export interface ServicesApi {
  status(serverId: string, unit: string): Promise<UnitStatus>;
  /** Restarts the unit and answers with the state it left it in. */
  restart(serverId: string, unit: string): Promise<{ status: UnitStatus; output: string }>;
}

declare module '../../core/index.ts' {
  interface PluginApis {
    services: ServicesApi;
  }
}

export function servicesApi(hosts: Hosts, config: ServicesConfig): ServicesApi {
  const checked = (unit: string) => {
    if (!UNIT_NAME.test(unit)) throw servicesErrors.INVALID_UNIT(`"${unit}" is not a unit name like app.service.`);
    return unit;
  };
  return {
    status: (serverId, unit) => showUnit(hosts.get(serverId), checked(unit)),
    restart: (serverId, unit) => runAction(hosts.get(serverId), checked(unit), 'restart', privilegeOf(config, serverId)),
  };
}
