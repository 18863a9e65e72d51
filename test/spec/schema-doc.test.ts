// schemas/aa-gen.schema.json is the reference documentation and the validator: every field is
// described, every object is closed, and the committed example validates against it.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { PROBLEM_CODES } from '../../src/spec/index.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/aa-gen.schema.json', import.meta.url), 'utf8'));

type Node = Record<string, unknown>;

/** Every schema object in the document with its path, and whether it is a named property or definition. */
function* schemaNodes(node: unknown, path: string, named = false): Generator<[string, Node, boolean]> {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  const n = node as Node;
  yield [path, n, named];
  for (const kw of ['properties', 'definitions']) {
    if (n[kw]) for (const [k, v] of Object.entries(n[kw] as Node)) yield* schemaNodes(v, `${path}/${kw}/${k}`, true);
  }
  for (const kw of ['items', 'additionalProperties', 'if', 'then', 'else']) yield* schemaNodes(n[kw], `${path}/${kw}`);
}

describe('schemas/aa-gen.schema.json', () => {
  test('is a valid draft-07 schema that ajv compiles', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(() => new Ajv({ strict: false }).compile(schema)).not.toThrow();
  });

  test('every property and definition has a description', () => {
    const missing: string[] = [];
    for (const [path, n, named] of schemaNodes(schema, '#')) {
      if (named && typeof n.description !== 'string') missing.push(path);
    }
    expect(missing).toEqual([]);
  });

  test('every object schema is closed (additionalProperties false or a value schema)', () => {
    const open: string[] = [];
    for (const [path, n] of schemaNodes(schema, '#')) {
      if (n.type === 'object' && n.additionalProperties === undefined) open.push(path);
    }
    expect(open).toEqual([]);
  });

  test('examples/wardle/aa-gen.yaml validates', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const ok = validate(parse(readFileSync('examples/wardle/aa-gen.yaml', 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('problem codes are kebab-case and documented', () => {
    for (const [code, doc] of Object.entries(PROBLEM_CODES)) {
      expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(doc.length).toBeGreaterThan(10);
    }
  });
});
