import path from 'node:path';

/**
 * A plugin imports only the core's public API (core/index.ts) and files in its own folder;
 * its tests may also use the shared harnesses in test/. Plugins share through the core
 * (ctx.deps, PluginApis), never through each other's files or the core's internals.
 */
export const pluginBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: "Forbid a plugin to import another plugin's files or the core's internals." },
    messages: {
      outside:
        'A plugin may import only core/index.ts and its own folder ("{{source}}" is outside). Use ctx.deps for another plugin\'s API.',
      outsideExample:
        'An example is a plugin outside the checkout: it imports Aura as aura/plugin and aura/test-kit, and only its own folder by path ("{{source}}" is outside).',
    },
    schema: [],
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const rel = path.relative(root, file).split(path.sep);
    if (!['plugins', 'examples'].includes(rel[0]) || rel.length < 3) return {};
    const builtIn = rel[0] === 'plugins';
    const own = path.join(root, rel[0], rel[1]);
    const allowed = builtIn ? [path.join(root, 'core', 'index.ts')] : [];
    const isTest = builtIn && /\.test\.[jt]s$/.test(file);
    const check = (node, source) => {
      if (typeof source !== 'string' || !(source.startsWith('.') || source.startsWith('/'))) return;
      const target = path.resolve(path.dirname(file), source);
      const inside = (dir) => target === dir || target.startsWith(dir + path.sep);
      if (inside(own) || allowed.includes(target) || (isTest && inside(path.join(root, 'test')))) return;
      context.report({ node, messageId: builtIn ? 'outside' : 'outsideExample', data: { source } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { 'plugin-boundaries': pluginBoundaries } };
