import type { Host } from '../../core/index.ts';
import { portsErrors } from './errors.ts';

export interface ListeningPort {
  protocol: 'tcp' | 'udp';
  localAddress: string;
  port: number;
  state: string;
  pid: number | null;
  process: string | null;
}

/** Listening TCP and UDP sockets, numeric, with their processes, without a header line. */
export const SS_ARGV = ['ss', '-tulnpH'];

const PROCESS = /\(\("((?:[^"\\]|\\.)*)",pid=(\d+)/;

/** Splits `addr:port`; IPv6 addresses come bracketed, and `*` means every address. */
function splitEndpoint(endpoint: string): { address: string; port: number } | undefined {
  const i = endpoint.lastIndexOf(':');
  if (i <= 0) return undefined;
  const port = Number(endpoint.slice(i + 1));
  if (!Number.isInteger(port)) return undefined;
  return { address: endpoint.slice(0, i).replace(/^\[(.*)\](%.*)?$/, '$1$2'), port };
}

/** Parses `ss -tulnpH` output; lines it cannot read are skipped, not guessed at. */
export function parseSs(output: string): ListeningPort[] {
  const ports: ListeningPort[] = [];
  for (const line of output.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [netid, state, , , local] = fields;
    if ((netid !== 'tcp' && netid !== 'udp') || !state || !local) continue;
    const endpoint = splitEndpoint(local);
    if (!endpoint) continue;
    const proc = PROCESS.exec(fields.slice(6).join(' '));
    ports.push({
      protocol: netid,
      localAddress: endpoint.address,
      port: endpoint.port,
      state,
      pid: proc ? Number(proc[2]) : null,
      process: proc ? proc[1]! : null,
    });
  }
  return ports.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

export async function listPorts(host: Host, signal?: AbortSignal): Promise<ListeningPort[]> {
  const { stdout, stderr, exitCode } = await host.run(SS_ARGV, { signal, timeoutMs: 10_000 });
  if (exitCode === 127) throw portsErrors.PORTS_UNAVAILABLE(`"ss" is not installed on ${host.id}; install iproute2.`);
  if (exitCode !== 0) throw portsErrors.PORTS_ERROR(`ss failed on ${host.id}: ${stderr.trim() || `exit ${exitCode}`}`);
  return parseSs(stdout);
}
