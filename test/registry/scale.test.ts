// Scale subresource: k8s.io/apiextensions-apiserver@v0.32.4 pkg/registry/customresource/etcd.go.
import { describe, expect, it } from 'vitest';
import { applyScale, toScale } from '../../src/runtime/registry/scale.js';
import type { KubeObject } from '../../src/runtime/api.js';
import { widgetKind, widget, rejection } from './fixtures.js';

const w: KubeObject = {
  ...widget('w1', { size: 1, replicas: 3 }),
  metadata: { name: 'w1', namespace: 'ns', uid: 'u1', resourceVersion: '7', creationTimestamp: '2025-01-01T00:00:00Z' },
  status: { replicas: 2, selector: 'app=w1' },
};

describe('scale (customresource/etcd.go scaleFromCustomResource)', () => {
  it('maps an object to autoscaling/v1 Scale', () => {
    expect(toScale(widgetKind, w)).toEqual({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'w1', namespace: 'ns', uid: 'u1', resourceVersion: '7', creationTimestamp: '2025-01-01T00:00:00Z' },
      spec: { replicas: 3 },
      status: { replicas: 2, selector: 'app=w1' },
    });
  });
  it('absent replicas are 0: spec.replicas omitted, status.replicas present; empty selector omitted', () => {
    const s = toScale(widgetKind, { ...widget('w2', { size: 1 }), metadata: { name: 'w2' } });
    expect(s.spec).toEqual({});
    expect(s.status).toEqual({ replicas: 0 });
  });
  it('applyScale writes spec replicas and carries the Scale resourceVersion as precondition', () => {
    const out = applyScale(widgetKind, w, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'w1', resourceVersion: '6' }, spec: { replicas: 5 } });
    expect((out.spec as { replicas: number }).replicas).toBe(5);
    expect(out.metadata.resourceVersion).toBe('6');
    expect((w.spec as { replicas: number }).replicas).toBe(3);
    const noRv = applyScale(widgetKind, w, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'w1' }, spec: { replicas: 1 } });
    expect(noRv.metadata.resourceVersion).toBe('7');
  });
  it('creates missing intermediate objects', () => {
    const bare = { apiVersion: 'x/v1', kind: 'Widget', metadata: { name: 'b' } };
    expect(applyScale(widgetKind, bare, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: {}, spec: { replicas: 2 } }).spec).toEqual({ replicas: 2 });
  });
  it('negative replicas are 422 Scale.autoscaling; a foreign uid is a 409', async () => {
    const neg = await rejection(Promise.resolve().then(() => applyScale(widgetKind, w, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'w1' }, spec: { replicas: -1 } })));
    expect(neg.code).toBe(422);
    expect(neg.message).toBe('Scale.autoscaling "w1" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    const uid = await rejection(Promise.resolve().then(() => applyScale(widgetKind, w, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'w1', uid: 'zz' }, spec: { replicas: 1 } })));
    expect(uid.code).toBe(409);
    expect(uid.message).toBe('Operation cannot be fulfilled on scale.autoscaling "w1": Precondition failed: UID in precondition: zz, UID in object meta: u1');
  });
});
