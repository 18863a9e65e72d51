// What generated src/generated/registry.ts calls: a plugin's declaration from the spec (name,
// type, operations, kinds) joined with the user's hooks from src/admission/<name>.ts.
import type { KubeObject } from '../api.js';
import type { AdmissionPlugin, MutatingHooks, Operation, ResourceTypes, ValidatingHooks } from './types.js';

export interface AdmissionPluginDeclaration {
  readonly name: string;
  readonly type: 'mutating' | 'validating';
  readonly operations: readonly Operation[];
  /** Kinds the plugin is called for; undefined: every kind of the group. */
  readonly kinds?: readonly string[];
  /** Default true; false: runs only when --enable-admission-plugins names it. */
  readonly enabledByDefault?: boolean;
}

/** A plugin whose hooks do not match its declaration (a user file out of step with the spec). */
export class AdmissionDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdmissionDefinitionError';
  }
}

export function defineAdmissionPlugin<T extends KubeObject, R extends ResourceTypes>(
  decl: AdmissionPluginDeclaration,
  hooks: MutatingHooks<T, R> | ValidatingHooks<T, R>,
): AdmissionPlugin {
  const hook = decl.type === 'mutating' ? 'admit' : 'validate';
  const fn = (hooks as unknown as Record<string, unknown> | undefined)?.[hook];
  if (typeof fn !== 'function') {
    throw new AdmissionDefinitionError(
      `admission plugin ${decl.name} is ${decl.type} in the spec, but its hooks have no ${hook}() function: write it in src/admission/${decl.name.toLowerCase()}.ts`,
    );
  }
  const operations = new Set(decl.operations);
  const base = {
    name: decl.name,
    handles: (operation: Operation) => operations.has(operation),
    ...(decl.kinds ? { kinds: [...decl.kinds] } : {}),
    enabledByDefault: decl.enabledByDefault ?? true,
  };
  // The hooks are typed on the plugin's kinds; the chain calls them only for those kinds.
  const bound = (fn as (...args: unknown[]) => unknown).bind(hooks);
  return Object.freeze({ ...base, [hook]: bound }) as unknown as AdmissionPlugin;
}
