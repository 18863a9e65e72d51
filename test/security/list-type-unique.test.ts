// x-kubernetes-list-type map keys and set elements stay unique on every write path, checked as
// apiextensions-apiserver does beside schema validation (pkg/apiserver/schema/listtype/
// validation.go ValidateListSetsAndMaps, called from pkg/registry/customresource/strategy.go):
// 422 "Duplicate value" at the later element.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatusShape } from '../server/helpers.js';
import { call, patchTypes, startDemo, widget, widgets, type TestServer } from './fixture.js';

let s: TestServer;
beforeAll(async () => {
  s = await startDemo();
  expect((await call(s, 'POST', widgets, widget('u', { ports: [{ name: 'a', port: 1 }], tags: ['x'] }))).status).toBe(201);
});
afterAll(async () => s?.stop());

const dupPorts = [{ name: 'a', port: 1 }, { name: 'b', port: 2 }, { name: 'a', port: 3 }];
const portsMessage = (name: string) => `Widget.demo.example.com "${name}" is invalid: spec.ports[2]: Duplicate value: {"name":"a"}`;

describe('list-type map keys are unique', () => {
  it('create is 422', async () => {
    const r = await call(s, 'POST', widgets, widget('d', { ports: dupPorts }));
    expectStatusShape(r.body, 422, 'Invalid');
    expect(r.body.message).toBe(portsMessage('d'));
    expect(r.body.details.causes).toEqual([{ reason: 'FieldValueDuplicate', message: 'Duplicate value: {"name":"a"}', field: 'spec.ports[2]' }]);
  });

  it('update is 422', async () => {
    const cur = (await call(s, 'GET', `${widgets}/u`)).body;
    const r = await call(s, 'PUT', `${widgets}/u`, { ...cur, spec: { ...cur.spec, ports: dupPorts } });
    expectStatusShape(r.body, 422, 'Invalid');
    expect(r.body.message).toBe(portsMessage('u'));
  });

  it.each([
    ['merge', patchTypes.merge, { spec: { ports: dupPorts } }],
    ['json', patchTypes.json, [{ op: 'add', path: '/spec/ports/-', value: { name: 'a', port: 9 } }]],
    ['strategic ($patch: replace)', patchTypes.strategic, { spec: { ports: [...dupPorts, { $patch: 'replace' }] } }],
  ])('%s patch is 422', async (_name, type, body) => {
    const r = await call(s, 'PATCH', `${widgets}/u`, body, type);
    expectStatusShape(r.body, 422, 'Invalid');
    expect(r.body.message).toMatch(/spec\.ports\[\d\]: Duplicate value: \{"name":"a"\}/);
  });

  it('apply is 422 (the applied configuration would otherwise merge its duplicates away)', async () => {
    const r = await call(s, 'PATCH', `${widgets}/u?fieldManager=t&force=true`, JSON.stringify(widget('u', { ports: dupPorts })), patchTypes.apply);
    expectStatusShape(r.body, 422, 'Invalid');
    expect(r.body.message).toBe(portsMessage('u'));
  });

  it('the stored list is unchanged; an element that is not an object is Invalid', async () => {
    expect((await call(s, 'GET', `${widgets}/u`)).body.spec.ports).toEqual([{ name: 'a', port: 1 }]);
    const r = await call(s, 'POST', widgets, widget('n', { ports: [{ name: 'a' }, 'b'] }));
    expectStatusShape(r.body, 422, 'Invalid');
  });
});

describe('list-type set elements are unique', () => {
  it('every later duplicate is reported once, as kube does', async () => {
    const r = await call(s, 'POST', widgets, widget('t', { tags: ['x', 'x', 'y', 'y', 'x'] }));
    expectStatusShape(r.body, 422, 'Invalid');
    expect(r.body.message).toBe('Widget.demo.example.com "t" is invalid: [spec.tags[1]: Duplicate value: "x", spec.tags[3]: Duplicate value: "y"]');
  });

  it('through a merge patch too', async () => {
    const r = await call(s, 'PATCH', `${widgets}/u`, { spec: { tags: ['q', 'q'] } }, patchTypes.merge);
    expectStatusShape(r.body, 422, 'Invalid');
    expect(r.body.message).toBe('Widget.demo.example.com "u" is invalid: spec.tags[1]: Duplicate value: "q"');
  });
});
