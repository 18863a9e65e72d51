// Server-side printing: objects -> meta.k8s.io Table, as the CRD table converter does
// (apiextensions-apiserver pkg/registry/customresource/tableconvertor/tableconvertor.go) with the
// row objects of k8s.io/apiserver pkg/endpoints/handlers/response.go (asTable).
import type { KindDefinition, KubeObject, ListMeta, PrinterColumn } from '../api.js';
import { compileJsonPath, type CompiledPath } from '../util/jsonpath.js';
import { humanDuration } from './duration.js';
import type { IncludeObject } from './query.js';

export interface TableColumnDefinition {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export interface TableRow {
  readonly cells: unknown[];
  readonly object?: Record<string, unknown>;
}

export interface Table {
  readonly kind: 'Table';
  readonly apiVersion: string;
  readonly metadata: ListMeta;
  readonly columnDefinitions?: readonly TableColumnDefinition[];
  readonly rows: TableRow[];
}

export interface TableOptions {
  readonly version: 'v1' | 'v1beta1';
  readonly includeObject: IncludeObject;
  /** Leave out columnDefinitions (watch events after the first). */
  readonly omitColumns?: boolean;
  /** Clock for Age cells, in ms since the epoch. */
  readonly now?: number;
}

/** ObjectMeta.name's description, as the CRD converter's implicit Name column carries it. */
const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

interface CompiledColumns {
  readonly definitions: readonly TableColumnDefinition[];
  readonly cells: readonly ((obj: KubeObject, now: number) => unknown)[];
}

const compiled = new WeakMap<KindDefinition, CompiledColumns>();

/** Column definitions and cell functions of a kind, compiled once per kind. */
export function tableColumns(kind: KindDefinition): CompiledColumns {
  let c = compiled.get(kind);
  if (!c) {
    const definitions: TableColumnDefinition[] = [
      { name: 'Name', type: 'string', format: 'name', description: nameDescription, priority: 0 },
    ];
    const cells: ((obj: KubeObject, now: number) => unknown)[] = [(obj) => obj.metadata?.name ?? ''];
    for (const col of kind.printerColumns) {
      definitions.push({ name: col.name, type: col.type, format: col.format, description: col.description, priority: col.priority });
      cells.push(cellFunction(col));
    }
    c = { definitions, cells };
    compiled.set(kind, c);
  }
  return c;
}

function cellFunction(col: PrinterColumn): (obj: KubeObject, now: number) => unknown {
  let path: CompiledPath;
  try {
    path = compileJsonPath(col.jsonPath);
  } catch {
    return () => null;
  }
  return (obj, now) => {
    const results = path(obj);
    if (results.length === 0) return null;
    return cellValue(col.type, results[0], now);
  };
}

/** One cell: null renders as `<none>` in kubectl. */
export function cellValue(type: PrinterColumn['type'], value: unknown, now: number): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      // jsonpath printing: strings verbatim, everything else in its JSON form.
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      if (value === '') return '<unknown>';
      const t = Date.parse(value);
      if (Number.isNaN(t)) return '<invalid>';
      return humanDuration(now - t);
    }
  }
}

/** The PartialObjectMetadata of an object (metadata only, typed so clients can decode it). */
export function partialObjectMetadata(obj: KubeObject, version: 'v1' | 'v1beta1' = 'v1'): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

/** Renders objects as a Table; `metadata` is the list's (or the object's resourceVersion). */
export function toTable(kind: KindDefinition, objects: readonly KubeObject[], metadata: ListMeta, opts: TableOptions): Table {
  const { definitions, cells } = tableColumns(kind);
  const now = opts.now ?? Date.now();
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: cells.map((cell) => cell(obj, now)) };
    if (opts.includeObject === 'Metadata') return { ...row, object: partialObjectMetadata(obj, opts.version) };
    if (opts.includeObject === 'Object') return { ...row, object: obj };
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
    ...(opts.omitColumns ? {} : { columnDefinitions: definitions }),
    rows,
  };
}
