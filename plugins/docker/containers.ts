import type Dockerode from 'dockerode';
import type { DockerClient } from './client.ts';
import { dockerErrors } from './errors.ts';

/**
 * A container id (full or a prefix) or name as Docker allows them. It goes into the engine's
 * URL path unescaped (dockerode does not encode it), so nothing else gets through.
 */
export const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function containerId(raw: unknown): string {
  if (typeof raw === 'string' && CONTAINER_ID.test(raw)) return raw;
  throw dockerErrors.INVALID_CONTAINER_ID(
    'A container id or name is a letter or digit followed by letters, digits, _ . or -, at most 128 in all.',
  );
}

/** Stop and restart wait this long (s) for the container to exit before the engine kills it. */
export const STOP_TIMEOUT_S = 10;

export interface PortMapping {
  privatePort: number;
  publicPort?: number;
  ip?: string;
  type: string;
}

export interface ContainerSummary {
  /** The full 64-hex id. */
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  ports: PortMapping[];
  /** ms since the epoch. */
  created: number;
  composeProject: string | null;
}

export interface ContainerDetails extends Omit<ContainerSummary, 'composeProject'> {
  command: string;
  restartPolicy: string;
  mounts: { source: string; destination: string; mode: string; rw: boolean }[];
  networks: string[];
  /** Variable names only: values are often secrets. */
  env: string[];
  health: string | null;
}

export type ContainerAction = 'start' | 'stop' | 'restart';

/** The container's own name: Docker lists links as "/other/alias" besides it. */
const nameOf = (names: string[] | undefined) =>
  (names?.find((n) => !n.slice(1).includes('/')) ?? names?.[0] ?? '').replace(/^\//, '');

export function summarize(c: Dockerode.ContainerInfo): ContainerSummary {
  return {
    id: c.Id,
    name: nameOf(c.Names),
    image: c.Image,
    state: c.State,
    status: c.Status,
    ports: (c.Ports ?? []).map((p) => ({
      privatePort: p.PrivatePort,
      ...(p.PublicPort ? { publicPort: p.PublicPort } : {}),
      ...(p.IP ? { ip: p.IP } : {}),
      type: p.Type,
    })),
    created: c.Created * 1000,
    composeProject: c.Labels?.['com.docker.compose.project'] ?? null,
  };
}

export function listContainers(engine: DockerClient, signal: AbortSignal): Promise<ContainerSummary[]> {
  return engine.use(async (docker) => (await docker.listContainers({ all: true, abortSignal: signal })).map(summarize));
}

/** The list's row for one container: `status` ("Up 3 minutes") is only said there. */
async function summaryOf(docker: Dockerode, fullId: string, signal: AbortSignal): Promise<ContainerSummary> {
  const rows = await docker.listContainers({ all: true, filters: { id: [fullId] }, abortSignal: signal });
  const row = rows.find((r) => r.Id === fullId);
  // Removed in between: answer as a lookup of it would have.
  if (!row) throw Object.assign(new Error('gone'), { statusCode: 404 });
  return summarize(row);
}

const restartPolicyOf = (p: Dockerode.HostRestartPolicy | undefined) =>
  !p?.Name ? 'no' : p.Name === 'on-failure' && p.MaximumRetryCount ? `on-failure:${p.MaximumRetryCount}` : p.Name;

export function inspectContainer(engine: DockerClient, id: string, signal: AbortSignal): Promise<ContainerDetails> {
  return engine.use(async (docker) => {
    const info = await docker.getContainer(id).inspect({ abortSignal: signal });
    const { composeProject: _, ...row } = await summaryOf(docker, info.Id, signal);
    return {
      ...row,
      image: info.Config.Image,
      command: [info.Path, ...(info.Args ?? [])].join(' '),
      state: info.State.Status,
      created: Date.parse(info.Created),
      restartPolicy: restartPolicyOf(info.HostConfig.RestartPolicy),
      mounts: (info.Mounts ?? []).map((m) => ({ source: m.Source, destination: m.Destination, mode: m.Mode, rw: m.RW })),
      networks: Object.keys(info.NetworkSettings?.Networks ?? {}),
      env: (info.Config.Env ?? []).map((e) => e.split('=', 1)[0]!),
      health: info.State.Health?.Status ?? null,
    };
  }, id);
}

/** Docker answers 304 when the container is already where it was asked to go: that is done, not failed. */
const unlessAlready = (err: unknown) => {
  if ((err as { statusCode?: number }).statusCode !== 304) throw err;
};

export function containerAction(
  engine: DockerClient,
  id: string,
  action: ContainerAction,
  signal: AbortSignal,
): Promise<ContainerSummary> {
  return engine.use(async (docker) => {
    const container = docker.getContainer(id);
    if (action === 'start') await container.start({ abortSignal: signal }).catch(unlessAlready);
    else await container[action]({ t: STOP_TIMEOUT_S, abortSignal: signal }).catch(unlessAlready);
    const info = await container.inspect({ abortSignal: signal });
    return summaryOf(docker, info.Id, signal);
  }, id);
}

export interface ImageSummary {
  id: string;
  tags: string[];
  size: number;
  /** ms since the epoch. */
  created: number;
  /** Containers made from the image, running or not. */
  containers: number;
}

export function listImages(engine: DockerClient, signal: AbortSignal): Promise<ImageSummary[]> {
  return engine.use(async (docker) => {
    // The engine counts an image's containers only when asked for a costly disk-usage walk.
    const [images, containers] = await Promise.all([
      docker.listImages({ abortSignal: signal }),
      docker.listContainers({ all: true, abortSignal: signal }),
    ]);
    const uses = new Map<string, number>();
    for (const c of containers) uses.set(c.ImageID, (uses.get(c.ImageID) ?? 0) + 1);
    return images.map((i) => ({
      id: i.Id,
      tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      size: i.Size,
      created: i.Created * 1000,
      containers: uses.get(i.Id) ?? 0,
    }));
  });
}
