// What a create does with the decoded body, which the handler hands to the store uncopied
// (CreateOptions.handOver) for JSON and copied for YAML: the same object comes back either way,
// and keys that would be special to JavaScript stay plain unknown fields (handlers/create.go;
// pruning per apiextensions-apiserver pruning/algorithm.go).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ns, startApp, widget, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => t.close());

const json = { 'content-type': 'application/json' };
const yaml = { 'content-type': 'application/yaml' };

/** A Widget body with `__proto__` keys at the top, in metadata and in spec, as raw JSON text. */
function protoBody(name: string): string {
  return `{"apiVersion":"demo.example.com/v1","kind":"Widget","__proto__":{"top":1},"metadata":{"name":"${name}","__proto__":{"m":1}},"spec":{"size":1,"__proto__":{"s":1}}}`;
}

describe('create body', () => {
  // (Known gap, not pinned here: pruning looks `__proto__` up in the schema's `properties` with
  // the prototype chain, so `spec.__proto__` is reported as `spec.__proto__.s` and kept as `{}`.)
  it('Strict: `__proto__` keys are refused as unknown fields (no prototype is set)', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${ns}?fieldValidation=Strict`, headers: json, payload: protoBody('p1') });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('unknown field "metadata.__proto__"');
    expect(res.json().message).toContain('unknown field "__proto__');
    expect(res.json().message).toContain('unknown field "spec.__proto__');
  });

  it('Warn: what they held is dropped and never reaches the stored object', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${ns}?fieldValidation=Warn`, headers: json, payload: protoBody('p2') });
    expect(res.statusCode).toBe(201);
    expect([res.headers['warning']].flat()).toContain('299 - "unknown field \\"metadata.__proto__\\""');
    const got = (await t.app.inject({ method: 'GET', url: `${ns}/p2` })).json();
    expect(got).toEqual(res.json());
    for (const leaked of ['"top"', '"m"', '"s"']) expect(res.body).not.toContain(leaked);
    expect(Object.keys(got.metadata).sort()).toEqual(['creationTimestamp', 'generation', 'name', 'namespace', 'resourceVersion', 'uid']);
  });

  it('JSON and YAML bodies of the same object create the same object', async () => {
    const viaJson = await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('same-json', { size: 2, extra: 1 }) });
    const doc = JSON.stringify(widget('same-yaml', { size: 2, extra: 1 })); // JSON is YAML
    const viaYaml = await t.app.inject({ method: 'POST', url: ns, headers: yaml, payload: doc });
    expect(viaJson.statusCode).toBe(201);
    expect(viaYaml.statusCode).toBe(201);
    const strip = (o: { metadata: Record<string, unknown> }) => {
      const { name: _n, uid: _u, resourceVersion: _r, creationTimestamp: _c, ...meta } = o.metadata;
      return { ...o, metadata: meta };
    };
    expect(strip(viaYaml.json())).toEqual(strip(viaJson.json()));
    expect(viaYaml.headers['warning']).toEqual(viaJson.headers['warning']);
  });

  it('the 201 carries exactly our Content-Type (no charset added) and the UTF-8 length of the body', async () => {
    const res = await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('utf8', { size: 1 }, { annotations: { note: 'grüße, 世界' } }) });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    expect(res.json().metadata.annotations.note).toBe('grüße, 世界');
    const asYaml = await t.app.inject({ method: 'GET', url: `${ns}/utf8`, headers: { accept: 'application/yaml' } });
    expect(asYaml.headers['content-type']).toBe('application/yaml');
    expect(asYaml.body).toContain('grüße, 世界');
  });

  it('YAML aliases (one object in two places) are pruned in each place on its own', async () => {
    const doc = [
      'apiVersion: demo.example.com/v1',
      'kind: Widget',
      'metadata: {name: alias}',
      'spec:',
      '  size: 1',
      '  labels: &shared {a: x}',
      '  config: *shared',
    ].join('\n');
    const res = await t.app.inject({ method: 'POST', url: ns, headers: yaml, payload: doc });
    expect(res.statusCode).toBe(201);
    expect(res.json().spec.labels).toEqual({ a: 'x' });
    expect(res.json().spec.config).toEqual({ a: 'x' });
  });
});
