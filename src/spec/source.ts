// The YAML layer: parse the spec text keeping source positions, turn it into plain JS data
// (anchors and aliases resolved, merge keys allowed, alias bombs refused), and map any JSON
// pointer back to the line:column of its key or value node.
import {
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Alias,
  type Document,
  type Node as YamlNode,
  type Pair,
} from 'yaml';

/**
 * How many alias nodes a document may dereference, counting aliases inside aliased nodes (yaml's
 * maxAliasCount). The default of `yaml` (100) is ample for sharing schemas between versions and
 * stops "billion laughs" documents before they expand.
 */
export const MAX_ALIAS_COUNT = 100;

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface YamlIssue {
  readonly code: 'yaml-syntax' | 'duplicate-key' | 'alias-bomb';
  readonly position: Position;
  readonly message: string;
}

export interface ParsedSource {
  /** The document as plain JS data; undefined when the YAML could not be read at all. */
  readonly data: unknown;
  readonly issues: readonly YamlIssue[];
  /** Where the node at `pointer` is: its key (for map entries, when `at` is 'key') or its value. */
  locate(pointer: string, at?: 'key' | 'value'): Position;
}

export function parseSource(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const issues: YamlIssue[] = doc.errors.map((e) => ({
    code: e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax',
    position: position(e.pos[0]),
    message: firstLine(e.message),
  }));
  let data: unknown;
  if (doc.errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      // yaml throws a ReferenceError both for excessive aliasing and for an alias whose anchor
      // is not defined before it.
      const unresolved = firstAliasOffset(doc, (alias) => alias.resolve(doc) === undefined);
      if (unresolved !== undefined) {
        issues.push({ code: 'yaml-syntax', position: position(unresolved), message: firstLine(String((e as Error).message ?? e)) });
      } else {
        issues.push({
          code: 'alias-bomb',
          position: position(firstAliasOffset(doc, () => true) ?? 0),
          message: `YAML aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} alias dereferences)`,
        });
      }
    }
  }
  return {
    data,
    issues,
    locate: (pointer, at = 'value') => position(locateOffset(doc, parsePointer(pointer), at)),
  };
}

/** Splits an RFC 6901 pointer into unescaped segments. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Builds an RFC 6901 pointer from segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/** Offset of the first alias node (in document order) that matches. */
function firstAliasOffset(doc: Document, matches: (alias: Alias) => boolean): number | undefined {
  let found: number | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || node == null) return;
    if (isAlias(node)) {
      if (matches(node)) found = node.range?.[0] ?? 0;
    }
    else if (isMap(node) || isSeq(node)) for (const item of node.items) visit(item);
    else if (isPair(node)) {
      visit(node.key);
      visit(node.value);
    }
  };
  visit(doc.contents);
  return found;
}

/**
 * Walks the document along the pointer, following aliases and merge keys; stops at the deepest
 * node that exists (so a pointer to a missing field lands on its parent).
 */
function locateOffset(doc: Document, segments: readonly string[], at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let offset = nodeStart(node) ?? 0;
  for (let i = 0; i < segments.length; i++) {
    node = deref(doc, node);
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = findPair(doc, node.items as Pair[], segments[i], 0);
      if (!pair) break;
      const keyOffset = nodeStart(pair.key);
      const valueOffset = nodeStart(pair.value);
      offset = (last && at === 'key' ? keyOffset : (valueOffset ?? keyOffset)) ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = Number(segments[i]);
      const item = Number.isInteger(index) ? node.items[index] : undefined;
      if (item === undefined) break;
      offset = nodeStart(item) ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

function findPair(doc: Document, items: readonly Pair[], key: string, depth: number): Pair | undefined {
  const direct = items.find((p) => scalarKey(p.key) === key);
  if (direct || depth > 8) return direct;
  // `<<: *base` or `<<: [*a, *b]`: look in the merged maps, in order.
  for (const p of items) {
    if (scalarKey(p.key) !== '<<') continue;
    const sources = isSeq(p.value) ? p.value.items : [p.value];
    for (const s of sources) {
      const m = deref(doc, s);
      if (isMap(m)) {
        const found = findPair(doc, m.items as Pair[], key, depth + 1);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function deref(doc: Document, node: unknown): unknown {
  for (let i = 0; i < 8 && isAlias(node); i++) node = node.resolve(doc);
  return node;
}

function scalarKey(key: unknown): string | undefined {
  if (isScalar(key)) {
    // With merge keys on, yaml parses a plain `<<` key to a symbol.
    return typeof key.value === 'symbol' ? '<<' : String(key.value);
  }
  return undefined;
}

function nodeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as YamlNode).range;
    if (range) return range[0];
  }
  return undefined;
}
