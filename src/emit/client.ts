// The typed clientset: src/generated/client/index.ts exports `createClient(kubeConfig)` with one
// typed ResourceClient factory per served version and kind (`client.v1.widgets('ns')`), and a
// `create<Kind>Informer` per kind. Generated code is data handed to the runtime's client module
// (aa-gen/runtime): no HTTP is written here, as client-gen's output is thin over client-go.
import type { KindIR, ProjectIR } from '../model/ir.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { importPath, paths } from './paths.js';
import { camel, isIdentifier, versionIdent } from './ts/naming.js';
import { moduleText } from './ts/print.js';

const q = (s: string) => JSON.stringify(s);
/** A property key: bare when an identifier (versions normally are: `v1beta1`), quoted otherwise. */
const key = (s: string) => (isIdentifier(s) ? s : q(s));
/** Property access: `client.v1` or `client["v1-x"]`. */
const access = (obj: string, s: string) => (isIdentifier(s) ? `${obj}.${s}` : `${obj}[${q(s)}]`);

/** `widgets` -> `widgets`, `foo-bars` -> `fooBars`: the method name of a resource. */
/** The clientset method of a resource: its plural in camelCase. */
export const resourceMethodName = (plural: string) => camel(plural);
/** `Widget` -> `WidgetField`: the field paths a field selector on the kind may use. */
export const fieldTypeName = (kind: KindIR) => `${kind.kind}Field`;
export const informerFactoryName = (kind: KindIR) => `create${kind.kind}Informer`;
export const versionClientName = (version: string) => `${versionIdent(version)}Client`;

/** Served versions that hold at least one served kind, in the group's order. */
function servedVersions(ir: ProjectIR): string[] {
  return ir.versions.filter((v) => v.served && servedKinds(ir, v.name).length > 0).map((v) => v.name);
}

/** Kinds served in `version`, sorted by plural for a stable, readable client surface. */
function servedKinds(ir: ProjectIR, version: string): KindIR[] {
  const groupServed = ir.versions.some((v) => v.name === version && v.served);
  return ir.kinds
    .filter((k) => groupServed && k.versions.some((kv) => kv.version === version && kv.served))
    .sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
}

/** The version an informer watches: the kind's most preferred served version. */
function informerVersion(ir: ProjectIR, kind: KindIR): string | undefined {
  const served = new Set(servedVersions(ir));
  return kind.versions.find((kv) => kv.served && served.has(kv.version))?.version;
}

/** The namespace alias a version's types are imported under (`v1`, or `v1_` if not an identifier). */
function typesAlias(version: string): string {
  const alias = version.replace(/[^A-Za-z0-9_$]/g, '_');
  return isIdentifier(alias) ? alias : `_${alias}`;
}

/** The client type of a kind in a version, without the methods of subresources it lacks. */
function clientType(kind: KindIR, version: string): string {
  const t = `ResourceClient<${typesAlias(version)}.${kind.kind}, ${typesAlias(version)}.${kind.listKind}, ${fieldTypeName(kind)}>`;
  const omitted = [...(kind.subresources.status ? [] : ['StatusMethods']), ...(kind.subresources.scale ? [] : ['ScaleMethods'])];
  return omitted.length === 0 ? t : `Omit<${t}, ${omitted.join(' | ')}>`;
}

/** Field selector keys: metadata.name and metadata.namespace always, then the selectable fields. */
function fieldKeys(kind: KindIR): string[] {
  const selectable = kind.selectableFields.map((p) => p.replace(/^\./, ''));
  return [...new Set(['metadata.name', 'metadata.namespace', ...selectable])];
}

export function clientModule(ir: ProjectIR): string {
  const file = `${paths.clientDir()}/index.ts`;
  const versions = servedVersions(ir);
  const kindsWithClients = ir.kinds.filter((k) => informerVersion(ir, k) !== undefined);
  const needsStatusOmit = kindsWithClients.some((k) => !k.subresources.status);
  const needsScaleOmit = kindsWithClients.some((k) => !k.subresources.scale);
  const typeImports = ['Informer', 'InformerOptions', 'KubeConfig'];
  if (needsScaleOmit) typeImports.push('ScaleMethods');
  if (needsStatusOmit) typeImports.push('StatusMethods');

  const imports = [
    `import { ResourceClient, createInformer, createTransport } from 'aa-gen/runtime';`,
    `import type { ${typeImports.sort().join(', ')} } from 'aa-gen/runtime';`,
    ...versions.map((v) => `import type * as ${typesAlias(v)} from ${q(importPath(file, paths.types(ir, v)))};`),
  ].join('\n');

  const group = [`/** The API group every client in this file talks to. */`, `export const group = ${q(ir.group)};`].join('\n');

  const fieldTypes = kindsWithClients
    .map((k) =>
      [
        `/** Field paths a field selector on ${k.plural} may use. */`,
        `export type ${fieldTypeName(k)} = ${fieldKeys(k).map(q).join(' | ')};`,
      ].join('\n'),
    )
    .join('\n\n');

  const versionInterfaces = versions
    .map((v) =>
      [
        `/** Clients of ${ir.group}/${v}. */`,
        `export interface ${versionClientName(v)} {`,
        ...servedKinds(ir, v).flatMap((k) =>
          k.scope === 'Namespaced'
            ? [
                `  /** ${k.kind} objects in \`namespace\`; without one, list and watch span all namespaces. */`,
                `  ${resourceMethodName(k.plural)}(namespace?: string): ${clientType(k, v)};`,
              ]
            : [`  /** ${k.kind} objects (cluster-scoped). */`, `  ${resourceMethodName(k.plural)}(): ${clientType(k, v)};`],
        ),
        `}`,
      ].join('\n'),
    )
    .join('\n\n');

  const clientset = [
    `/** Typed clients of the ${ir.group} API group, one property per served version. */`,
    `export interface Clientset {`,
    ...versions.map((v) => `  readonly ${key(v)}: ${versionClientName(v)};`),
    `}`,
  ].join('\n');

  const resourceInfo = (k: KindIR, v: string) =>
    `{ group, version: ${q(v)}, plural: ${q(k.plural)}, kind: ${q(k.kind)}, namespaced: ${k.scope === 'Namespaced'} }`;
  const factory = (k: KindIR, v: string) => {
    const typeArgs = `${typesAlias(v)}.${k.kind}, ${typesAlias(v)}.${k.listKind}, ${fieldTypeName(k)}`;
    return k.scope === 'Namespaced'
      ? `      ${resourceMethodName(k.plural)}: (namespace?: string) => new ResourceClient<${typeArgs}>(transport, ${resourceInfo(k, v)}, namespace),`
      : `      ${resourceMethodName(k.plural)}: () => new ResourceClient<${typeArgs}>(transport, ${resourceInfo(k, v)}),`;
  };
  const create = [
    `/**`,
    ` * A clientset for the cluster (or standalone server) of \`kubeConfig\`'s current context, with`,
    ` * its credentials. Clients share one connection pool.`,
    ` */`,
    `export function createClient(kubeConfig: KubeConfig): Clientset {`,
    `  const transport = createTransport(kubeConfig);`,
    `  return {`,
    ...versions.flatMap((v) => [`    ${key(v)}: {`, ...servedKinds(ir, v).map((k) => factory(k, v)), `    },`]),
    `  };`,
    `}`,
  ].join('\n');

  const informers = kindsWithClients
    .map((k) => {
      const v = informerVersion(ir, k)!;
      const source =
        k.scope === 'Namespaced'
          ? `${access('client', v)}.${resourceMethodName(k.plural)}(options.namespace)`
          : `${access('client', v)}.${resourceMethodName(k.plural)}()`;
      return [
        `/**`,
        ` * An informer on ${k.plural} in ${v}${k.scope === 'Namespaced' ? ' (one namespace when options.namespace is set)' : ''}:`,
        ` * list, then watch; call start() and read through its lister.`,
        ` */`,
        `export function ${informerFactoryName(k)}(client: Clientset, options: InformerOptions<${fieldTypeName(k)}> = {}): Informer<${typesAlias(v)}.${k.kind}> {`,
        `  return createInformer(${source}, options);`,
        `}`,
      ].join('\n');
    })
    .join('\n\n');

  return moduleText([imports, group, fieldTypes, versionInterfaces, clientset, create, informers]);
}

export const clientEmitter: Emitter = {
  name: 'client',
  emit(ir: ProjectIR): GeneratedFile[] {
    if (servedVersions(ir).length === 0) return [];
    return [{ path: `${paths.clientDir()}/index.ts`, content: clientModule(ir), owner: 'generated' }];
  },
};
