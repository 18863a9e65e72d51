// Fields a version cannot hold survive a round trip through it (the hub-fields annotation), in
// generated code for the widgets fixture: Widget v1 (hub) has labels, ports, tags, note, config
// and createdBy that v1beta1 lacks; color/colour goes through the hand-written conversion.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { KindConversion, KubeObject } from '../../src/runtime/api.js';
import { paths } from '../../src/emit/paths.js';
import { hubFieldsAnnotation } from '../../src/runtime/schema/hub-fields.js';
import { cleanup } from '../emit/project.js';
import type { TempProject } from '../emit/project.js';
import { handWrittenWidget, typecheck, widget, widgetsProject } from './support.js';

const made: TempProject[] = [];
let conversion: KindConversion;

beforeAll(async () => {
  const project = widgetsProject('lossy', handWrittenWidget);
  made.push(project);
  expect(typecheck(project.dir)).toBeUndefined();
  ({ widgetConversion: conversion } = await import(join(project.dir, paths.conversion(widget))));
});
afterAll(() => cleanup(made));

const hubWidget = (): KubeObject => ({
  apiVersion: 'demo.example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'default', annotations: { 'example.com/keep': 'yes' } },
  spec: {
    size: 3,
    replicas: 2,
    color: 'green',
    port: 'http',
    labels: { tier: 'front', 'a/b~c': 'escaped' },
    ports: [{ name: 'http', port: 80 }],
    tags: ['x'],
    note: null,
    config: { anything: { goes: [1, 2] } },
    createdBy: 'me@example.com',
  },
  status: { replicas: 1, conditions: [{ type: 'Ready', status: 'True' }] },
});

const savedOf = (obj: KubeObject) => JSON.parse(obj.metadata.annotations![hubFieldsAnnotation]!) as Record<string, unknown>;

test('hub -> v1beta1 saves exactly the hub fields v1beta1 cannot hold in the annotation', () => {
  const hub = hubWidget();
  const frozen = JSON.stringify(hub);
  const beta = conversion.fromHub(hub, 'v1beta1');
  expect(JSON.stringify(hub)).toBe(frozen);
  expect(beta.spec).toEqual({ size: 3, replicas: 2, colour: 'green', port: 'http' });
  expect(beta.metadata.annotations!['example.com/keep']).toBe('yes');
  expect(savedOf(beta)).toEqual({
    apiVersion: 'demo.example.com/v1',
    fields: {
      '/spec/labels': { tier: 'front', 'a/b~c': 'escaped' },
      '/spec/ports': [{ name: 'http', port: 80 }],
      '/spec/tags': ['x'],
      '/spec/note': null,
      '/spec/config': { anything: { goes: [1, 2] } },
      '/spec/createdBy': 'me@example.com',
    },
  });
});

test('hub -> v1beta1 -> hub is the identity, and the hub never keeps the annotation', () => {
  const hub = hubWidget();
  const back = conversion.toHub(conversion.fromHub(hub, 'v1beta1'));
  expect(back).toEqual(hub);
  // Without other annotations, the annotations map disappears again.
  const bare = { ...hubWidget(), metadata: { name: 'w', namespace: 'default' } };
  expect(conversion.toHub(conversion.fromHub(bare, 'v1beta1'))).toEqual(bare);
});

test('a hub object v1beta1 holds completely gets no annotation', () => {
  const hub: KubeObject = { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1, color: 'red' } };
  const beta = conversion.fromHub(hub, 'v1beta1');
  expect(beta.metadata.annotations).toBeUndefined();
  expect(conversion.toHub(beta)).toEqual(hub);
});

test('an edit through v1beta1 is kept and the saved fields come back with it', () => {
  const beta = conversion.fromHub(hubWidget(), 'v1beta1');
  const edited = { ...beta, spec: { ...(beta.spec as object), size: 9, colour: 'blue' } };
  const hub = conversion.toHub(edited);
  expect(hub.spec).toEqual({ ...(hubWidget().spec as object), size: 9, color: 'blue' });
  expect(hub.metadata.annotations).toEqual({ 'example.com/keep': 'yes' });
});

test('an edit through v1beta1 wins over a saved value: a removed spec is not brought back', () => {
  const beta = conversion.fromHub(hubWidget(), 'v1beta1');
  const { spec: _spec, ...withoutSpec } = beta;
  const hub = conversion.toHub(withoutSpec as KubeObject);
  expect(hub.spec).toBeUndefined();
  expect(hub.status).toEqual(hubWidget().status);
});

test('an annotation saved from another hub version, or not JSON, is ignored and removed', () => {
  const beta = conversion.fromHub(hubWidget(), 'v1beta1');
  for (const value of ['{"apiVersion":"demo.example.com/v2","fields":{"/spec/tags":["y"]}}', 'not json']) {
    const odd = { ...beta, metadata: { ...beta.metadata, annotations: { [hubFieldsAnnotation]: value } } };
    const hub = conversion.toHub(odd);
    expect((hub.spec as { tags?: unknown }).tags).toBeUndefined();
    expect(hub.metadata.annotations).toBeUndefined();
  }
});
