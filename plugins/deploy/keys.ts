import type { Host } from '../../core/index.ts';
import { deployErrors } from './errors.ts';

/**
 * Makes ~/.ssh/id_ed25519 for the server's Aura user if there is none (git uses it without
 * being told), and prints its public half. A fixed script: nothing of the request reaches it.
 */
const KEY_SCRIPT = [
  'set -e',
  'umask 077',
  'mkdir -p "$HOME/.ssh"',
  'key="$HOME/.ssh/id_ed25519"',
  'if [ -e "$key" ]; then echo existing; else ssh-keygen -q -t ed25519 -N "" -C "aura-deploy@$(hostname)" -f "$key" && echo created; fi',
  'cat "$key.pub"',
].join('\n');

export async function deployKey(
  host: Host,
  signal?: AbortSignal,
): Promise<{ publicKey: string; created: boolean; instructions: string }> {
  const r = await host.run(['sh', '-c', KEY_SCRIPT], { signal });
  const [state, publicKey] = r.stdout.trim().split('\n');
  if (r.exitCode !== 0 || !publicKey?.startsWith('ssh-'))
    throw deployErrors.KEY_ERROR(`The deploy key could not be made: ${r.stderr.trim().slice(0, 300) || `exit ${r.exitCode}`}`);
  return {
    publicKey,
    created: state === 'created',
    instructions:
      "Add this key to the repository as a deploy key, read-only (GitHub: Settings → Deploy keys → Add deploy key; leave 'Allow write access' off), and use the SSH URL (git@github.com:owner/repo.git) as the clone's origin.",
  };
}
