// Which registered plugins run: k8s.io/apiserver pkg/server/options/admission.go. Every plugin
// the project registers is on unless it is `enabledByDefault: false` (upstream's default-off
// plugins); `--enable-admission-plugins` turns such plugins on, `--disable-admission-plugins`
// turns any off. Plugins run in the order they are registered (RecommendedPluginOrder).
import type { AdmissionPlugin } from './types.js';

/** The flags, as comma lists split into names. */
export interface AdmissionFlags {
  readonly enablePlugins: readonly string[];
  readonly disablePlugins: readonly string[];
}

export interface PluginSelection {
  /** Enabled plugins, in registration order; empty when `errors` is not. */
  readonly plugins: readonly AdmissionPlugin[];
  /** AdmissionOptions.Validate's messages: unknown names, overlaps. */
  readonly errors: readonly string[];
}

/** Splits a comma-separated flag value into trimmed, non-empty names. */
export function parsePluginList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function selectAdmissionPlugins(registered: readonly AdmissionPlugin[], flags: AdmissionFlags | undefined): PluginSelection {
  const enable = new Set(flags?.enablePlugins ?? []);
  const disable = new Set(flags?.disablePlugins ?? []);
  const known = new Set<string>();
  const errors: string[] = [];
  for (const p of registered) {
    if (known.has(p.name)) errors.push(`admission plugin ${JSON.stringify(p.name)} was registered twice`);
    known.add(p.name);
  }
  for (const name of enable) if (!known.has(name)) errors.push(`enable-admission-plugins plugin ${JSON.stringify(name)} is unknown${knownList(known)}`);
  for (const name of disable) if (!known.has(name)) errors.push(`disable-admission-plugins plugin ${JSON.stringify(name)} is unknown${knownList(known)}`);
  const both = [...enable].filter((n) => disable.has(n)).sort();
  if (both.length) errors.push(`[${both.join(' ')}] in enable-admission-plugins and disable-admission-plugins overlapped`);
  if (errors.length) return { plugins: [], errors };
  const plugins = registered.filter((p) => !disable.has(p.name) && (p.enabledByDefault !== false || enable.has(p.name)));
  return { plugins, errors };
}

function knownList(known: ReadonlySet<string>): string {
  return known.size ? ` (registered: ${[...known].sort().join(', ')})` : ' (this server registers no admission plugins)';
}
