// /status (3.10) and /scale (3.11).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ns, startApp, widget, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
  await t.app.inject({ method: 'POST', url: ns, headers: { 'content-type': 'application/json' }, payload: widget('w1', { size: 3, replicas: 1 }) });
});
afterAll(async () => t.close());

const merge = { 'content-type': 'application/merge-patch+json' };

describe('/status', () => {
  it('GET returns the whole object', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${ns}/w1/status` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'Widget', spec: { size: 3 } });
  });

  it('PATCH changes only status; generation stays, RV moves', async () => {
    const before = (await t.app.inject({ method: 'GET', url: `${ns}/w1` })).json();
    const res = await t.app.inject({ method: 'PATCH', url: `${ns}/w1/status`, headers: merge, payload: '{"status":{"replicas":2,"selector":"a=b"},"spec":{"size":99}}' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toMatchObject({ replicas: 2, selector: 'a=b' });
    expect(res.json().spec.size).toBe(3);
    expect(res.json().metadata.generation).toBe(before.metadata.generation);
    expect(res.json().metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
  });

  it('PUT takes status only', async () => {
    const cur = (await t.app.inject({ method: 'GET', url: `${ns}/w1` })).json();
    const res = await t.app.inject({ method: 'PUT', url: `${ns}/w1/status`, headers: { 'content-type': 'application/json' }, payload: { ...cur, spec: { size: 50 }, status: { ...cur.status, replicas: 3 } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().status.replicas).toBe(3);
    expect(res.json().spec.size).toBe(3);
  });

  it('the main resource ignores status changes', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: `${ns}/w1`, headers: merge, payload: '{"status":{"replicas":7}}' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status.replicas).toBe(3);
  });
});

describe('/scale', () => {
  it('GET answers an autoscaling/v1 Scale', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${ns}/w1/scale` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'w1', namespace: 'default' }, spec: { replicas: 1 }, status: { replicas: 3, selector: 'a=b' } });
  });

  it('kubectl scale: PATCH merge {"spec":{"replicas":N}}', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: `${ns}/w1/scale`, headers: merge, payload: '{"spec":{"replicas":2}}' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'Scale', spec: { replicas: 2 } });
    expect((await t.app.inject({ method: 'GET', url: `${ns}/w1` })).json().spec.replicas).toBe(2);
  });

  it('PUT with the current RV; a stale RV is 409; negative replicas 422', async () => {
    const scale = (await t.app.inject({ method: 'GET', url: `${ns}/w1/scale` })).json();
    const ok = await t.app.inject({ method: 'PUT', url: `${ns}/w1/scale`, headers: { 'content-type': 'application/json' }, payload: { ...scale, spec: { replicas: 4 } } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().spec.replicas).toBe(4);
    const stale = await t.app.inject({ method: 'PUT', url: `${ns}/w1/scale`, headers: { 'content-type': 'application/json' }, payload: { ...scale, spec: { replicas: 5 } } });
    expect(stale.statusCode).toBe(409);
    const neg = await t.app.inject({ method: 'PATCH', url: `${ns}/w1/scale`, headers: merge, payload: '{"spec":{"replicas":-1}}' });
    expect(neg.statusCode).toBe(422);
    expect(neg.json().message).toBe('Scale.autoscaling "w1" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });

  it('a kind without /scale has no such route', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v1beta1/gadgets/g/scale' })).statusCode).toBe(404);
  });
});
