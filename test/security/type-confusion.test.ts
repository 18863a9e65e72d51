// Values of the wrong JSON type in typed fields are 400s worded as Go's JSON decoder words them
// (sigs.k8s.io/json decode.go UnmarshalTypeError, wrapped by handlers/rest.go
// transformDecodeError), and in a patch result 422s naming the patch (handlers/patch.go
// jsonPatcher.applyPatchToCurrentObject): never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatusShape } from '../server/helpers.js';
import { call, patchTypes, startDemo, widget, widgets, type TestServer } from './fixture.js';

let s: TestServer;
beforeAll(async () => {
  s = await startDemo();
  expect((await call(s, 'POST', widgets, widget('t'))).status).toBe(201);
});
afterAll(async () => s?.stop());

const prefix = 'Widget in version "v1" cannot be handled as a Widget: ';

/** metadata of a create body -> the Go decoder's message. */
const metadataCases: Array<[string, Record<string, unknown>, string]> = [
  ['managedFields: [5]', { managedFields: [5] }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.managedFields of type v1.ManagedFieldsEntry'],
  ['managedFields: [{manager: 5}]', { managedFields: [{ manager: 5 }] }, 'json: cannot unmarshal number into Go struct field ManagedFieldsEntry.metadata.managedFields.manager of type string'],
  ['managedFields: {}', { managedFields: {} }, 'json: cannot unmarshal object into Go struct field ObjectMeta.metadata.managedFields of type []v1.ManagedFieldsEntry'],
  ['managedFields[].time: 5', { managedFields: [{ manager: 'm', time: 5 }] }, 'json: cannot unmarshal number into Go value of type string'],
  ['ownerReferences[].apiVersion: 5', { ownerReferences: [{ apiVersion: 5, kind: 'K', name: 'n', uid: 'u' }] }, 'json: cannot unmarshal number into Go struct field OwnerReference.metadata.ownerReferences.apiVersion of type string'],
  ['ownerReferences[].controller: "yes"', { ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'n', uid: 'u', controller: 'yes' }] }, 'json: cannot unmarshal string into Go struct field OwnerReference.metadata.ownerReferences.controller of type bool'],
  ['labels: {a: 5}', { labels: { a: 5 } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
  ['annotations: []', { annotations: [] }, 'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.annotations of type map[string]string'],
  ['finalizers: [true]', { finalizers: [true] }, 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.finalizers of type string'],
  ['generation: 1.5', { generation: 1.5 }, 'json: cannot unmarshal number 1.5 into Go struct field ObjectMeta.metadata.generation of type int64'],
  ['uid: {}', { uid: {} }, 'json: cannot unmarshal object into Go struct field ObjectMeta.metadata.uid of type types.UID'],
];

describe('type confusion on create and update', () => {
  it.each(metadataCases)('%s is 400', async (_name, extra, message) => {
    const created = await call(s, 'POST', widgets, widget('x', {}, extra));
    expectStatusShape(created.body, 400, 'BadRequest');
    expect(created.body.message).toBe(prefix + message);
    const current = (await call(s, 'GET', `${widgets}/t`)).body;
    const updated = await call(s, 'PUT', `${widgets}/t`, { ...current, metadata: { ...current.metadata, ...extra } });
    expectStatusShape(updated.body, 400, 'BadRequest');
    expect(updated.body.message).toBe(prefix + message);
  });

  it('metadata as an array is 400', async () => {
    const r = await call(s, 'POST', widgets, { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: [], spec: { size: 1 } });
    expectStatusShape(r.body, 400, 'BadRequest');
    expect(r.body.message).toBe(prefix + 'json: cannot unmarshal array into Go struct field Widget.metadata of type v1.ObjectMeta');
  });

  it('apiVersion or kind as an object or array is 400 "the object provided is unrecognized"', async () => {
    for (const [field, value, jsonKind] of [['apiVersion', {}, 'object'], ['kind', [], 'array'], ['kind', 5, 'number']] as const) {
      const body = { ...widget('x'), [field]: value };
      const r = await call(s, 'POST', widgets, body);
      expectStatusShape(r.body, 400, 'BadRequest');
      expect(r.body.message).toBe(
        `the object provided is unrecognized (must be of type Widget): couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind} into Go struct field .${field} of type string (${JSON.stringify(body).slice(0, 30)} ...)`,
      );
    }
  });

  it('null elements decode as Go zero values: validation answers, not a crash', async () => {
    const r = await call(s, 'POST', widgets, widget('x', {}, { managedFields: [null] }));
    expectStatusShape(r.body, 422, 'Invalid');
    expect(r.body.message).toContain('metadata.managedFields[0].operation');
    const labels = await call(s, 'POST', widgets, widget('nulls', {}, { labels: { a: null }, finalizers: null }));
    expect(labels.status).toBe(201);
    expect(labels.body.metadata.labels).toEqual({ a: '' });
  });
});

describe('type confusion through patches is 422 naming the patched object', () => {
  const cases: Array<[string, string, unknown, string]> = [
    ['json patch apiVersion: {}', patchTypes.json, [{ op: 'replace', path: '/apiVersion', value: {} }], "couldn't get version/kind; json parse error: json: cannot unmarshal object into Go struct field .apiVersion of type string"],
    ['json patch managedFields: [5]', patchTypes.json, [{ op: 'add', path: '/metadata/managedFields', value: [5] }], 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.managedFields of type v1.ManagedFieldsEntry'],
    ['merge patch kind: [1]', patchTypes.merge, { kind: [1] }, "couldn't get version/kind; json parse error: json: cannot unmarshal array into Go struct field .kind of type string"],
    ['merge patch ownerReferences apiVersion: 5', patchTypes.merge, { metadata: { ownerReferences: [{ apiVersion: 5 }] } }, 'json: cannot unmarshal number into Go struct field OwnerReference.metadata.ownerReferences.apiVersion of type string'],
    ['merge patch metadata: []', patchTypes.merge, { metadata: [] }, 'json: cannot unmarshal array into Go struct field Widget.metadata of type v1.ObjectMeta'],
    ['strategic patch labels: {a: 5}', patchTypes.strategic, { metadata: { labels: { a: 5 } } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
  ];
  it.each(cases)('%s', async (_name, type, patch, why) => {
    const r = await call(s, 'PATCH', `${widgets}/t`, patch, type);
    expect(r.status, r.text).toBe(422);
    expectStatusShape(r.body, 422, 'Invalid');
    expect(r.body.message.startsWith(' "" is invalid: patch: Invalid value: "{')).toBe(true);
    expect(r.body.message.endsWith(`": ${why}`)).toBe(true);
    expect(r.body.details.causes[0].field).toBe('patch');
  });

  it('the object is unchanged and still served', async () => {
    const r = await call(s, 'GET', `${widgets}/t`);
    expect(r.status).toBe(200);
    expect(r.body.apiVersion).toBe('demo.example.com/v1');
    expect(r.body.metadata.ownerReferences).toBeUndefined();
  });
});

describe('managedFields that decode but make no sense', () => {
  it('fieldsV1 of any JSON type, then an apply, is never a 500', async () => {
    for (const fieldsV1 of [5, 'x', [], { 'f:spec': 5 }, { 'f:spec': { 'f:size': [] } }]) {
      const entry = { manager: 'm', operation: 'Update', apiVersion: 'demo.example.com/v1', fieldsType: 'FieldsV1', fieldsV1 };
      const r = await call(s, 'POST', widgets, widget('fv', {}, { managedFields: [entry] }));
      expect(r.status, `${JSON.stringify(fieldsV1)}: ${r.text}`).toBeLessThan(500);
      const applied = await call(s, 'PATCH', `${widgets}/fv?fieldManager=a`, JSON.stringify(widget('fv', { size: 2 })), patchTypes.apply);
      expect(applied.status, `${JSON.stringify(fieldsV1)}: ${applied.text}`).toBeLessThan(500);
      await call(s, 'DELETE', `${widgets}/fv`);
    }
  });
});

describe('DeleteOptions of the wrong types are 400 (handlers/delete.go decodes the body into metav1.DeleteOptions)', () => {
  /** DELETE with a body and its Content-Length (the test client sends none on its own for DELETE). */
  const del = async (path: string, body: unknown) => {
    const text = JSON.stringify(body);
    const r = await s.fetch(path, { method: 'DELETE', body: text, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } });
    return { status: r.status, body: JSON.parse(String(r.body)) };
  };
  it.each([
    [{ propagationPolicy: 5 }, 'json: cannot unmarshal number into Go struct field DeleteOptions.propagationPolicy of type v1.DeletionPropagation'],
    [{ gracePeriodSeconds: 'x' }, 'json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64'],
    [{ preconditions: [] }, 'json: cannot unmarshal array into Go struct field DeleteOptions.preconditions of type v1.Preconditions'],
    [{ preconditions: { uid: 5 } }, 'json: cannot unmarshal number into Go struct field Preconditions.preconditions.uid of type types.UID'],
    [{ orphanDependents: 'yes' }, 'json: cannot unmarshal string into Go struct field DeleteOptions.orphanDependents of type bool'],
    [{ dryRun: 'All' }, 'json: cannot unmarshal string into Go struct field DeleteOptions.dryRun of type []string'],
    [{ kind: 5 }, "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string"],
  ])('%j', async (body, message) => {
    for (const path of [`${widgets}/t`, widgets]) {
      const r = await del(`${path}?dryRun=All`, body);
      expectStatusShape(r.body, 400, 'BadRequest');
      expect(r.body.message).toBe(message);
    }
    expect((await call(s, 'GET', `${widgets}/t`)).status).toBe(200);
  });
});
