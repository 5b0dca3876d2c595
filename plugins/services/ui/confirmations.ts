import type { ConfirmRequest } from '@aura/ui';
import type { UnitAction } from './types.ts';

/**
 * What to ask before an action, naming the unit, the server and what happens; null when the
 * action needs no question (starting a stopped unit takes nothing away).
 */
export function confirmationFor(action: UnitAction, unit: string, server: string): ConfirmRequest | null {
  if (action === 'restart')
    return {
      title: `Restart ${unit} on ${server}?`,
      body: 'Its connections are dropped while it restarts.',
      confirm: 'Restart',
    };
  if (action === 'stop')
    return {
      title: `Stop ${unit} on ${server}?`,
      body: 'It stops serving, and stays stopped until someone starts it again.',
      confirm: 'Stop',
      danger: true,
    };
  return null;
}

export function limitsConfirmation(unit: string, server: string, cpu: string | null, memory: string | null): ConfirmRequest {
  return {
    title: `Apply limits to ${unit} on ${server}?`,
    body: `CPU ${cpu ?? 'no limit'}, memory ${memory ?? 'no limit'}. ${unit} is restarted to apply them; its connections are dropped while it restarts.`,
    confirm: 'Apply and restart',
  };
}
