// Type guards for walking data that may not have passed schema validation: cross-checks run
// on every spec, so they must never assume a shape ajv has not confirmed.

export type Rec = Record<string, unknown>;

export function isRecord(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function records(v: unknown): [number, Rec][] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((item, i) => (isRecord(item) ? [[i, item] as [number, Rec]] : []));
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
