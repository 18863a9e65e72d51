// Request bodies (objects and patches) decoded with the limits of kube-apiserver's decoders, so
// that nothing later in the server meets data it cannot handle:
//   - nesting at most `maxJsonDepth` (sigs.k8s.io/json scanner.go maxNestingDepth: kube stops
//     at 10,000; ours is lower because the registry's walkers are recursive, see below);
//   - numbers that fit a float64 (Go's decoder refuses 1e400; JSON.parse would make Infinity,
//     YAML `.inf`/`.nan` are not JSON at all, and JSON.stringify would store either as null);
//   - YAML aliases that expand a document by a bounded share of what it decodes to
//     (go.yaml.in/yaml/v2 decode.go allowedAliasRatio, the fix of CVE-2019-11253).
// Failures are `InputError`s (a message as Go's decoders word it); callers make them 400s.
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';

/**
 * The deepest nesting of objects and arrays a body may have. Every walker the server runs on an
 * object (copy, pruning, defaulting, validation, conversion, patches, apply, YAML output) handles
 * this depth on Node's default stack (the YAML library's stringify, the least deep, fails near
 * 650 levels); test/security/nesting-depth.test.ts proves it through every write and read path
 * at exactly this depth.
 */
export const maxJsonDepth = 500;

export class InputError extends Error {
  override readonly name = 'InputError';
}

/** JSON.parse with the limits above. */
export function parseJsonInput(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
  checkTree(value, () => `json: cannot unmarshal number ${firstUnrepresentableNumber(text)} into Go value of type float64`);
  return value;
}

/** YAML (1.2 core schema, one document) with the limits above. */
export function parseYamlInput(text: string): unknown {
  // The YAML parser recurses (and far past the limit compiles huge regular expressions): gate
  // it on a cheap upper bound of the nesting first; the exact depth is checked after parsing.
  if (yamlNestingBound(text) > 2 * maxJsonDepth) throw new InputError('yaml: exceeded max depth');
  const doc = parseDocument(text);
  const problem = doc.errors[0];
  if (problem) throw new InputError(problem.message.split('\n')[0]);
  if (text.includes('*')) checkAliasing(doc); // no alias without a '*'
  let value: unknown;
  try {
    // The alias bound is ours (checkAliasing); the library's count-based one refuses documents
    // go-yaml accepts and lets through documents that expand without bound.
    value = doc.toJS({ maxAliasCount: -1 });
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
  // sigs.k8s.io/yaml turns YAML into JSON with encoding/json, which refuses non-finite floats.
  checkTree(value, (n) => `json: unsupported value: ${goFloat(n)}`);
  return value;
}

function goFloat(n: number): string {
  return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
}

/**
 * An upper bound of a YAML text's nesting, without parsing it: per line, the open indentation
 * levels, the block indicators (`- `, `? `) that start it, and the open flow brackets outside
 * quotes and comments. Block scalars and brackets inside plain scalars only make it larger.
 */
function yamlNestingBound(text: string): number {
  let max = 0;
  let flow = 0;
  const indents: number[] = [];
  for (const line of text.split('\n')) {
    let i = 0;
    while (line[i] === ' ') i++;
    if (i === line.length || line[i] === '#') continue;
    while (indents.length && indents[indents.length - 1] >= i) indents.pop();
    indents.push(i);
    let indicators = 0;
    while ((line[i] === '-' || line[i] === '?') && (line[i + 1] === ' ' || i + 1 === line.length)) {
      indicators++;
      i += 2;
      while (line[i] === ' ') i++;
    }
    let quote = '';
    for (; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '#' && line[i - 1] === ' ') break;
      else if (c === '[' || c === '{') flow++;
      else if ((c === ']' || c === '}') && flow > 0) flow--;
      if (flow > maxJsonDepth) return Infinity;
    }
    max = Math.max(max, indents.length + indicators + flow);
  }
  return max;
}

/**
 * Levels metadata.managedFields may nest beyond the limit: fieldsV1 repeats the object's fields
 * four levels further down (`spec` at 2 is `metadata.managedFields[i].fieldsV1.f:spec` at 6) and
 * ends each leaf in `{}`, so an object at the limit that server-side apply manages stays
 * readable and writable as it is served.
 */
const managedFieldsAllowance = 5;

/** The depth a child of `parent` counts at (`depth` is the parent's; `root` the whole body). */
function childDepth(root: unknown, parent: object, key: string, depth: number): number {
  const metadata = (root as { metadata?: unknown } | null)?.metadata;
  return parent === metadata && key === 'managedFields' ? depth + 1 - managedFieldsAllowance : depth + 1;
}

/** True when `root` nests objects and arrays deeper than maxJsonDepth (a patch result, say). */
export function exceedsMaxDepth(root: unknown): boolean {
  if (root === null || typeof root !== 'object') return false;
  const stack: Array<[object, number]> = [[root, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > maxJsonDepth) return true;
    for (const [k, c] of Object.entries(v)) if (c !== null && typeof c === 'object') stack.push([c as object, childDepth(root, v, k, depth)]);
  }
  return false;
}

/** Depth and number checks over a decoded tree, without recursion (the tree may be deep). */
function checkTree(root: unknown, badNumber: (n: number) => string): void {
  const stack: Array<[unknown, number]> = [[root, 0]];
  // YAML aliases share subtrees: each shared object is checked once, where it is met first.
  const seen = new Set<object>();
  while (stack.length) {
    const [v, parentDepth] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InputError(badNumber(v));
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    const depth = parentDepth + 1;
    if (depth > maxJsonDepth) throw new InputError(`invalid character '${Array.isArray(v) ? '[' : '{'}' exceeded max depth`);
    if (seen.has(v)) continue;
    seen.add(v);
    for (const [k, c] of Object.entries(v)) {
      if (c !== null && (typeof c === 'object' || typeof c === 'number')) stack.push([c, childDepth(root, v, k, depth) - 1]);
    }
  }
}

/** The first number literal of a JSON text that does not fit a float64 (for Go's message). */
function firstUnrepresentableNumber(text: string): string {
  const token = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    if (m[0][0] !== '"' && !Number.isFinite(Number(m[0]))) return m[0];
  }
  return 'value';
}

// go.yaml.in/yaml/v2 decode.go: the share of decoded nodes that may come from alias expansion,
// 99% for documents up to 400,000 decodes, falling linearly to 10% at 4,000,000.
const aliasRatioRangeLow = 400_000;
const aliasRatioRangeHigh = 4_000_000;

function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= aliasRatioRangeLow) return 0.99;
  if (decodeCount >= aliasRatioRangeHigh) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - aliasRatioRangeLow) / (aliasRatioRangeHigh - aliasRatioRangeLow));
}

/** Decoded size of a subtree with aliases expanded: go-yaml's node count, and bytes of scalars. */
interface Expansion {
  nodes: number;
  bytes: number;
}

/**
 * go-yaml's rule, evaluated without expanding anything: every alias adds its anchor's expanded
 * size at once (memoized per anchored node). The rule is checked once per alias, which is where
 * the share of aliased data peaks. It is applied twice: to node counts, exactly as go-yaml
 * counts them, and to bytes (a node counts 1 plus its scalar text), since one alias of a long
 * string is a single node but many bytes once the object is serialized.
 */
function checkAliasing(doc: Document): void {
  const total: Expansion = { nodes: 1, bytes: 1 }; // the document node
  const aliased: Expansion = { nodes: 0, bytes: 0 };
  const anchors = new Map<string, YamlNode>();
  const sizes = new Map<YamlNode, Expansion>();
  const excessive = (unit: keyof Expansion) =>
    aliased[unit] > 100 && total[unit] > 1000 && aliased[unit] / total[unit] > allowedAliasRatio(total[unit]);

  const frames: Expansion[] = [];
  /** A decoded subtree of `size`: part of the document and of the collection around it. */
  const count = (size: Expansion) => {
    add(total, size);
    const around = frames.at(-1);
    if (around) add(around, size);
  };
  // Post-order over the document, children in document order: [node, entered].
  const stack: Array<[YamlNode | null, boolean]> = [[doc.contents as YamlNode | null, false]];
  while (stack.length) {
    const [node, entered] = stack.pop()!;
    if (node === null) {
      count({ nodes: 1, bytes: 1 }); // an empty value still decodes as a node
      continue;
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) throw new InputError(`yaml: unknown anchor '${node.source}' referenced`);
      const size = sizes.get(target);
      if (!size) throw new InputError(`yaml: anchor '${node.source}' value contains itself`);
      count({ nodes: 1 + size.nodes, bytes: 1 + size.bytes });
      add(aliased, size);
      if (excessive('nodes') || excessive('bytes')) throw new InputError('yaml: document contains excessive aliasing');
      continue;
    }
    if (!entered) {
      if (node.anchor) anchors.set(node.anchor, node);
      if (isScalar(node)) {
        const size = { nodes: 1, bytes: 1 + scalarBytes(node.value) };
        count(size);
        sizes.set(node, size);
        continue;
      }
      // A collection: itself now, its children as they are reached, its size when it closes.
      total.nodes += 1;
      total.bytes += 1;
      frames.push({ nodes: 1, bytes: 1 });
      stack.push([node, true]);
      const children: Array<YamlNode | null> = [];
      if (isMap(node) || isSeq(node)) {
        for (const item of node.items as unknown[]) {
          if (isPair(item)) children.push((item.key as YamlNode | null) ?? null, (item.value as YamlNode | null) ?? null);
          else children.push((item as YamlNode | null) ?? null);
        }
      }
      for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], false]);
      continue;
    }
    const size = frames.pop()!;
    sizes.set(node, size);
    const around = frames.at(-1);
    if (around) add(around, size);
  }
}

function add(into: Expansion, size: Expansion): void {
  into.nodes += size.nodes;
  into.bytes += size.bytes;
}

function scalarBytes(v: unknown): number {
  return typeof v === 'string' ? Buffer.byteLength(v) : String(v).length;
}
