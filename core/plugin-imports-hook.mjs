/**
 * Node's resolve hook for plugins outside the checkout, registered by core/plugin-imports.ts
 * (plain JavaScript: Node's hooks thread loads it before any TypeScript loader may be there).
 * `aura/plugin` and `aura/test-kit` are the running core's own files, so a plugin shares its
 * module instances (errors, zod checks); and a bare import that a plugin's own folder cannot
 * resolve (zod) resolves as from the checkout, from Aura's node_modules.
 */
let imports = {};
let checkout = '';

export function initialize(data) {
  imports = data.imports;
  checkout = data.checkout;
}

const isBare = (specifier) => !/^(\.|\/|#|[a-z][a-z0-9+.-]*:)/i.test(specifier);

export async function resolve(specifier, context, nextResolve) {
  // Through the rest of the chain: tsx, when there, marks a .ts file as one it compiles.
  if (Object.hasOwn(imports, specifier)) return nextResolve(imports[specifier], context);
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const parent = context.parentURL ?? '';
    const outside = parent.startsWith('file:') && !parent.startsWith(checkout);
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier) || !outside) throw err;
    return nextResolve(specifier, { ...context, parentURL: new URL('package.json', checkout).href });
  }
}
