// Structural schema rules, as kube-apiserver applies them to CRD schemas
// (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go and
// pkg/apis/apiextensions/validation/validation.go): every node has a type (except
// int-or-string and preserve-unknown-fields nodes), the keywords fit the type, list-map keys
// are required or defaulted scalars, enum and default values fit the node, and the root
// leaves apiVersion, kind and metadata to the server.
import type { Finding } from './json-schema.js';
import { isRecord, type Rec } from './guards.js';
import { toPointer, parsePointer } from './source.js';
import { describePointer, quote } from './text.js';

const SCALARS = new Set(['string', 'integer', 'number', 'boolean']);
const RESERVED_ROOT_FIELDS = ['apiVersion', 'kind', 'metadata'];
const MAX_DEPTH = 64;

/** Checks the schema of one kind version; `pointer` is the pointer of its `schema` node. */
export function checkStructuralSchema(schema: unknown, pointer: string): Finding[] {
  const out: Finding[] = [];
  if (!isRecord(schema)) return out; // ajv reported it
  if (schema.type !== 'object') {
    out.push({
      code: 'non-structural',
      pointer: schema.type === undefined ? pointer : `${pointer}/type`,
      message: `${describePointer(pointer)} must have type: object at its root`,
      hint: 'the schema describes the whole object; put fields under properties: (normally spec and status)',
    });
  }
  if (isRecord(schema.properties)) {
    for (const field of RESERVED_ROOT_FIELDS) {
      if (Object.hasOwn(schema.properties, field)) {
        out.push({
          code: 'reserved-field',
          pointer: `${pointer}/properties/${field}`,
          at: 'key',
          message: `${describePointer(pointer)} declares ${quote(field)}, which the server provides`,
          hint: `remove ${field}: apiVersion, kind and metadata are part of every object and validated by the server`,
        });
      }
    }
  }
  walk(schema, pointer, true, out, 0, new Set());
  return out;
}

function walk(node: Rec, pointer: string, root: boolean, out: Finding[], depth: number, onPath: Set<Rec>): void {
  if (depth > MAX_DEPTH || onPath.has(node)) return; // cyclic or absurd: nothing sane to check
  onPath.add(node);
  const where = describePointer(pointer);
  const push = (code: Finding['code'], sub: string | undefined, message: string, hint: string, at?: 'key') =>
    out.push({ code, pointer: sub === undefined ? pointer : `${pointer}/${sub}`, message, hint, ...(at ? { at } : {}) });

  const type = typeof node.type === 'string' ? node.type : undefined;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'];

  if (type === undefined && !intOrString && preserve !== true && !root) {
    push('non-structural', undefined, `${where} has no type`, 'add type: (object, array, string, integer, number or boolean); only x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields nodes may omit it', 'key');
  }
  if (intOrString && type !== undefined) {
    push('non-structural', 'type', `${where} has x-kubernetes-int-or-string: true and a type`, 'remove type: an int-or-string value is an integer or a string');
  }
  if (preserve === false) {
    push('non-structural', 'x-kubernetes-preserve-unknown-fields', `${where}: x-kubernetes-preserve-unknown-fields must be true or absent`, 'remove it: unknown fields are pruned by default');
  }
  const hasProps = node.properties !== undefined;
  const addl = node.additionalProperties;
  if (hasProps && addl !== undefined) {
    push('non-structural', 'additionalProperties', `${where} has both properties and additionalProperties`, 'use properties for an object with known fields, additionalProperties for a map; not both', 'key');
  } else if (addl === false) {
    push('non-structural', 'additionalProperties', `${where}: additionalProperties must not be false`, 'remove it: fields not in properties are pruned anyway');
  }
  if (type !== undefined && type !== 'object') {
    for (const kw of ['properties', 'additionalProperties', 'x-kubernetes-map-type', 'x-kubernetes-embedded-resource']) {
      if (node[kw] !== undefined && !(kw === 'additionalProperties' && hasProps)) {
        push('non-structural', kw, `${where} has ${kw} but type ${type}`, `${kw} only applies to type: object`, 'key');
      }
    }
  }
  if (type !== undefined && type !== 'array') {
    for (const kw of ['items', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys']) {
      if (node[kw] !== undefined) push('non-structural', kw, `${where} has ${kw} but type ${type}`, `${kw} only applies to type: array`, 'key');
    }
  }
  if (type === 'array' && node.items === undefined) {
    push('non-structural', undefined, `${where} is an array without items`, 'add items: with the schema of the list items', 'key');
  }
  if (node['x-kubernetes-embedded-resource'] === true && type === undefined) {
    push('non-structural', 'x-kubernetes-embedded-resource', `${where}: x-kubernetes-embedded-resource needs type: object`, 'add type: object', 'key');
  }
  if (type === 'array' || type === undefined) checkList(node, pointer, where, push);
  if (typeof node.pattern === 'string') {
    try {
      new RegExp(node.pattern, 'u');
    } catch (e) {
      push('invalid-pattern', 'pattern', `${where}: pattern is not a valid regular expression: ${(e as Error).message}`, 'fix the regular expression (ECMA-262 syntax)');
    }
  }
  if (Array.isArray(node.enum)) {
    node.enum.forEach((v, i) => {
      if (!fitsType(v, node)) {
        push('invalid-enum', `enum/${i}`, `${where}: enum value ${quote(v)} is not ${typeName(node)}`, `make every enum value ${typeName(node)}`);
      }
    });
  }
  if (node.default !== undefined) {
    if (!fitsType(node.default, node)) {
      push('invalid-default', 'default', `${where}: default ${quote(node.default)} is not ${typeName(node)}`, `write a default that is ${typeName(node)}`);
    } else if (Array.isArray(node.enum) && !node.enum.some((v) => sameValue(v, node.default))) {
      push('invalid-default', 'default', `${where}: default ${quote(node.default)} is not one of the enum values`, `use one of ${node.enum.map(quote).join(', ')}`);
    }
  }

  if (isRecord(node.properties)) {
    for (const [name, child] of Object.entries(node.properties)) {
      if (isRecord(child)) walk(child, toPointer([...parsePointer(pointer), 'properties', name]), false, out, depth + 1, onPath);
    }
  }
  if (isRecord(node.items)) walk(node.items, `${pointer}/items`, false, out, depth + 1, onPath);
  if (isRecord(addl)) walk(addl, `${pointer}/additionalProperties`, false, out, depth + 1, onPath);
  onPath.delete(node);
}

type Push = (code: Finding['code'], sub: string | undefined, message: string, hint: string, at?: 'key') => void;

/** x-kubernetes-list-type and -list-map-keys. */
function checkList(node: Rec, pointer: string, where: string, push: Push): void {
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  const items = isRecord(node.items) ? node.items : undefined;
  if (keys !== undefined && listType !== 'map') {
    push('list-map-keys', 'x-kubernetes-list-map-keys', `${where} has x-kubernetes-list-map-keys without x-kubernetes-list-type: map`, 'add x-kubernetes-list-type: map, or remove the keys', 'key');
  }
  if (listType === 'set' && items && typeof items.type === 'string' && !SCALARS.has(items.type) && items['x-kubernetes-map-type'] !== 'atomic') {
    push('non-structural', 'x-kubernetes-list-type', `${where}: a list of type set must have scalar items`, 'use x-kubernetes-list-type: map (with keys) or atomic for lists of objects or lists');
  }
  if (listType !== 'map') return;
  if (!Array.isArray(keys) || keys.length === 0) {
    push('list-map-keys', 'x-kubernetes-list-type', `${where} is a list-type map without x-kubernetes-list-map-keys`, 'add x-kubernetes-list-map-keys: [<field of the items that identifies an item>]');
    return;
  }
  if (!items || items.type !== 'object') {
    push('list-map-keys', 'x-kubernetes-list-type', `${where}: the items of a list-type map must be objects`, 'give items type: object with the key fields as properties');
    return;
  }
  const props = isRecord(items.properties) ? items.properties : {};
  const required = Array.isArray(items.required) ? items.required : [];
  keys.forEach((key, i) => {
    if (typeof key !== 'string') return;
    const prop = props[key];
    const keyWhere = `${where}: list map key ${quote(key)}`;
    if (!isRecord(prop)) {
      push('list-map-keys', `x-kubernetes-list-map-keys/${i}`, `${keyWhere} is not a property of the items`, `declare ${key} under items.properties`);
    } else if (!(typeof prop.type === 'string' && SCALARS.has(prop.type)) && prop['x-kubernetes-int-or-string'] !== true) {
      push('list-map-keys', `x-kubernetes-list-map-keys/${i}`, `${keyWhere} is not a scalar`, 'list map keys must be strings, integers, numbers or booleans');
    } else if (!required.includes(key) && prop.default === undefined) {
      push('list-map-keys', `x-kubernetes-list-map-keys/${i}`, `${keyWhere} is neither required nor defaulted`, `add ${key} to items.required, or give it a default`);
    }
  });
}

function fitsType(v: unknown, node: Rec): boolean {
  if (v === null) return node.nullable === true;
  if (node['x-kubernetes-int-or-string'] === true) return typeof v === 'string' || Number.isInteger(v);
  switch (node.type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return isRecord(v);
    case 'array':
      return Array.isArray(v);
    default:
      return true; // preserve-unknown-fields without a type: anything goes
  }
}

function typeName(node: Rec): string {
  if (node['x-kubernetes-int-or-string'] === true) return 'an integer or a string';
  const t = typeof node.type === 'string' ? node.type : 'anything';
  const noun = t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
  return node.nullable === true ? `${noun} or null` : noun;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
