import { z } from 'zod';
import { forbidden, routeInput, validate, type PluginRouter } from '../../core/index.ts';
import type { CommandTool } from './config.ts';
import { commandLine, fillArgv, paramsSchema } from './params.ts';
import { findTool, offeredOn, runTool } from './run.ts';

/** What the panel and scripts see of a tool: everything but how it is enforced. */
const describeTool = (t: CommandTool) => ({
  id: t.id,
  title: t.title,
  description: t.description,
  argv: t.argv,
  command: commandLine(t.argv),
  params: t.params,
  readOnly: t.readOnly,
  sudo: t.sudo,
  timeoutSeconds: t.timeoutSeconds,
});

export function commandsRoutes(router: PluginRouter, deps: { tools: CommandTool[]; maxOutputKb: number }): void {
  router.get('/', (c) => {
    c.body = deps.tools.filter((t) => offeredOn(t, c.state.server!.id)).map(describeTool);
  });
}

/**
 * Running is a viewer route so that viewers may run read-only tools; the role check for the
 * others is here, before the body is read: a viewer hears 403 and a missing tool 404, whatever
 * they sent. The core audits every run, refused ones included.
 */
export function commandsRunRoute(
  router: PluginRouter,
  deps: { tools: CommandTool[]; maxOutputKb: number; redact(text: string): string },
) {
  const chosen = new WeakMap<object, CommandTool>();
  // Each tool takes its own parameters: the document shows their common shape, the handler checks the tool's.
  const input = routeInput({
    summary: "Runs a tool with its parameters (GET / lists each tool's).",
    body: z.object({ params: z.record(z.string(), z.string()).optional() }),
  });
  router.post(
    '/:id/run',
    async (c, next) => {
      c.state.audit = { action: 'commands.run', target: c.params.id! };
      const tool = findTool(deps.tools, c.params.id!, c.state.server!.id);
      if (!tool.readOnly && c.state.user!.role !== 'admin')
        throw forbidden(`"${tool.id}" changes things; your role may only run read-only tools.`);
      chosen.set(c, tool);
      await next();
    },
    input,
    async (c) => {
      const tool = chosen.get(c)!;
      const { params } = validate(z.object({ params: paramsSchema(tool).prefault({}) }).strict(), c.request.body ?? {});
      c.state.audit!.target = deps.redact(`${tool.id}: ${commandLine(fillArgv(tool, params))}`);
      c.body = await runTool(c.state.host!, tool, params, deps);
    },
  );
}
