import { z } from 'zod';
import type { AuditLog } from './audit.ts';
import type { AvailabilityCache } from './availability.ts';
import { coreErrors, forbidden } from './errors.ts';
import { boundTo, type Hosts } from './hosts/index.ts';
import type { AgentTool } from './plugin.ts';
import type { AuraUser } from './sessions.ts';
import { validate } from './validate.ts';

export interface ToolInfo {
  name: string;
  plugin: string;
  description: string;
  readOnly: boolean;
  destructive: boolean;
  inputSchema: unknown;
}

interface Entry {
  plugin: string;
  tool: AgentTool;
  input: z.ZodType;
  scope: 'host' | 'global';
}

/**
 * Every agent tool the started plugins contribute. Host-scoped plugins' tools get a
 * `serverId` input (default local) and receive the resolved host, like their routes do.
 */
export class ToolRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly hosts: Hosts,
    private readonly audit: AuditLog,
    private readonly availability: AvailabilityCache,
  ) {}

  add(plugin: string, scope: 'host' | 'global', tools: AgentTool[]): void {
    for (const tool of tools) {
      if (this.entries.has(tool.name)) throw new Error(`tool "${tool.name}" is already registered`);
      if (!(tool.input instanceof z.ZodObject)) throw new Error(`tool "${tool.name}" must take a z.object() input`);
      const base = tool.input;
      const input = scope === 'host' ? base.extend({ serverId: z.string().default('local') }) : base;
      this.entries.set(tool.name, { plugin, tool, input, scope });
    }
  }

  list(): ToolInfo[] {
    return [...this.entries.values()].map(({ plugin, tool, input }) => ({
      name: tool.name,
      plugin,
      description: tool.description,
      readOnly: tool.readOnly === true,
      destructive: tool.destructive === true,
      inputSchema: z.toJSONSchema(input, { io: 'input' }),
    }));
  }

  async invoke(name: string, rawInput: unknown, call: { user: AuraUser; signal: AbortSignal }): Promise<unknown> {
    const entry = this.entries.get(name);
    if (!entry) throw coreErrors.TOOL_NOT_FOUND(`No tool "${name}".`);
    const readOnly = entry.tool.readOnly === true;
    if (!readOnly && call.user.role !== 'admin') throw forbidden(`"${name}" changes things; your role may only read.`);
    const { serverId, ...input } = validate(entry.input, rawInput ?? {}) as { serverId?: string };
    const { host, server } = serverId ? this.hosts.resolve(serverId) : {};
    if (serverId) await this.availability.require(entry.plugin, serverId);
    try {
      const result = await entry.tool.run(input, { ...call, host: host && boundTo(host, call.signal), server });
      if (!readOnly)
        await this.audit.record({ user: call.user.username, server: serverId, action: `tool.${name}`, result: 'success' });
      return result;
    } catch (err) {
      if (!readOnly)
        await this.audit.record({
          user: call.user.username,
          server: serverId,
          action: `tool.${name}`,
          result: 'failure',
          detail: (err as Error).message,
        });
      throw err;
    }
  }
}
