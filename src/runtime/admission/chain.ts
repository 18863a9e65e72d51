// The admission chain: k8s.io/apiserver pkg/admission/chain.go. Mutating plugins run in
// order, each seeing the previous one's changes; validating plugins run in order after the
// strategy and schema validation; the first refusal ends the request. A plugin is called only
// for the operations it handles and the kinds it names.
import { StatusError } from '../errors.js';
import { admissionForbidden } from './errors.js';
import type {
  AdmissionAttributes,
  AdmissionContext,
  AdmissionPlugin,
  AdmissionListers,
  MutatingAttributes,
  MutatingPlugin,
  Operation,
  ValidatingPlugin,
} from './types.js';

export type AdmissionStage = 'mutating' | 'validating';

export interface AdmissionChain {
  /** Whether any plugin of `stage` runs for `operation` on `kind`: callers skip the work of building attributes otherwise. */
  handles(stage: AdmissionStage, operation: Operation, kind: string): boolean;
  /** Runs the mutating plugins; they may change `a.object` in place. Rejects with a StatusError. */
  admit(a: MutatingAttributes): Promise<void>;
  /** Runs the validating plugins on frozen copies of the objects. Rejects with a StatusError. */
  validate(a: AdmissionAttributes): Promise<void>;
}

export function createAdmissionChain(plugins: readonly AdmissionPlugin[], listers: AdmissionListers): AdmissionChain {
  const mutating = plugins.filter((p): p is MutatingPlugin => typeof (p as MutatingPlugin).admit === 'function');
  const validating = plugins.filter((p): p is ValidatingPlugin => typeof (p as ValidatingPlugin).validate === 'function');
  const ctx: AdmissionContext = { listers };
  const runs = (p: AdmissionPlugin, operation: Operation, kind: string) =>
    p.handles(operation) && (p.kinds === undefined || p.kinds.includes(kind));
  return {
    handles(stage, operation, kind) {
      return (stage === 'mutating' ? mutating : validating).some((p) => runs(p, operation, kind));
    },
    async admit(a) {
      const attrs = { ...a, oldObject: frozenCopy(a.oldObject) } as MutatingAttributes;
      for (const p of mutating) {
        if (!runs(p, a.operation, a.kind.kind)) continue;
        try {
          await p.admit(attrs, ctx);
        } catch (e) {
          throw refusal(attrs, e);
        }
      }
    },
    async validate(a) {
      const attrs = { ...a, object: frozenCopy(a.object), oldObject: frozenCopy(a.oldObject) } as AdmissionAttributes;
      for (const p of validating) {
        if (!runs(p, a.operation, a.kind.kind)) continue;
        try {
          await p.validate(attrs, ctx);
        } catch (e) {
          throw refusal(attrs, e);
        }
      }
    },
  };
}

/** A StatusError is answered as it is; anything else is admission.NewForbidden(a, err). */
function refusal(a: AdmissionAttributes | MutatingAttributes, e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  return admissionForbidden(a as AdmissionAttributes, e);
}

function frozenCopy<T>(value: T): T {
  return value === undefined ? value : deepFreeze(structuredClone(value));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
