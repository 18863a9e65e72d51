// The JSONPath subset CRDs allow in printer columns, scale paths and selectable fields
// (k8s.io/client-go/util/jsonpath, as restricted by apiextensions validation): dotted fields,
// array indexes, `[*]` and a `{...}` wrapper. Compiled once per path, evaluated per object.

export type CompiledPath = (obj: unknown) => unknown[];

type Step = { field: string } | { index: number } | { all: true };

export class JsonPathError extends Error {
  constructor(path: string, why: string) {
    super(`invalid JSONPath ${JSON.stringify(path)}: ${why}`);
    this.name = 'JsonPathError';
  }
}

/** Parses `.spec.replicas`, `{.status.conditions[0].type}`, `.items[*].name`. */
export function compileJsonPath(path: string): CompiledPath {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  if (!p.startsWith('.') && !p.startsWith('[')) throw new JsonPathError(path, 'must start with "."');
  const steps: Step[] = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*|'[^']*'|"[^"]*")\]/y;
  let at = 0;
  while (at < p.length) {
    re.lastIndex = at;
    const m = re.exec(p);
    if (!m) throw new JsonPathError(path, `unexpected ${JSON.stringify(p.slice(at))}`);
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] === '*') steps.push({ all: true });
    else if (/^\d+$/.test(m[2])) steps.push({ index: Number(m[2]) });
    else steps.push({ field: m[2].slice(1, -1) });
    at = re.lastIndex;
  }
  return (obj) => {
    let current: unknown[] = [obj];
    for (const step of steps) {
      const next: unknown[] = [];
      for (const value of current) {
        if ('field' in step) {
          if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
            const v = (value as Record<string, unknown>)[step.field];
            if (v !== undefined) next.push(v);
          }
        } else if ('index' in step) {
          if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
        } else if (Array.isArray(value)) {
          next.push(...value);
        } else if (value !== null && typeof value === 'object') {
          next.push(...Object.values(value));
        }
      }
      current = next;
    }
    return current;
  };
}

/** The first value a path selects, or undefined. */
export function firstValue(obj: unknown, path: CompiledPath): unknown {
  return path(obj)[0];
}
