// The admission chain inside the registry store, in the order of k8s.io/apiserver: mutating
// admission before the strategy and schema validation (pkg/endpoints/handlers/create.go,
// update.go), validating admission after (pkg/registry/generic/registry/store.go
// createValidation/updateValidation/deleteValidation, pkg/registry/rest AdmissionToValidateObjectDeleteFunc),
// plugins filtered by operation (pkg/admission/chain.go Handles) and kind.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/runtime/api.js';
import type { AdmissionAttributes, MutatingAttributes } from '../../src/runtime/admission/types.js';
import { StatusError } from '../../src/runtime/errors.js';
import { ctx, group, openStores, plugin, rejection, widget, type Stores } from './support.js';

let stores: Stores | undefined;
afterEach(async () => {
  await stores?.close();
  stores = undefined;
});

type Spec = { size?: number; replicas?: number; color?: string };
const specOf = (o: KubeObject | undefined) => o?.spec as Spec | undefined;

describe('order: mutating -> strategy + schema validation -> validating', () => {
  it('mutating runs on the hub object before validation; validating sees the final object after it', async () => {
    const seen: string[] = [];
    stores = await openStores([
      plugin('AddLabel', ['CREATE'], {
        admit(a: MutatingAttributes) {
          seen.push(`admit ${a.object!.apiVersion} colour=${String(specOf(a.object)?.color)}`);
          a.object!.metadata.labels = { ...a.object!.metadata.labels, admitted: 'yes' };
        },
      }),
      plugin('Check', ['CREATE'], {
        validate(a: AdmissionAttributes) {
          seen.push(`validate labels=${JSON.stringify(a.object!.metadata.labels)} uid=${Boolean(a.object!.metadata.uid)}`);
        },
      }),
    ]);
    // A v1beta1 request: plugins get the hub (v1) form, with `colour` converted to `color`.
    const out = await stores.widgets.create(ctx(), 'ns', 'v1beta1', {
      apiVersion: `${group}/v1beta1`,
      kind: 'Widget',
      metadata: { name: 'w1' },
      spec: { size: 1, colour: 'blue' },
    });
    expect(seen).toEqual([`admit ${group}/v1 colour=blue`, 'validate labels={"admitted":"yes"} uid=true']);
    expect(out.metadata.labels).toEqual({ admitted: 'yes' });
  });

  it('what a mutating plugin changes is validated again: schema (422) and strategy (422)', async () => {
    let size = -1;
    stores = await openStores([
      plugin('SetSize', ['CREATE', 'UPDATE'], {
        admit(a: MutatingAttributes) {
          (a.object!.spec as Spec).size = size;
        },
      }),
    ]);
    const schema = await rejection(stores.widgets.create(ctx(), 'ns', 'v1', widget('w1')));
    expect(schema.code).toBe(422);
    expect(schema.message).toBe('Widget.demo.example.com "w1" is invalid: spec.size: Invalid value: -1: should be greater than or equal to 0');
    size = 500; // the strategy allows at most 100
    const strategy = await rejection(stores.widgets.create(ctx(), 'ns', 'v1', widget('w1')));
    expect(strategy.message).toContain('spec.size: Invalid value: 500: must be less than or equal to 100');
    size = 7;
    expect(specOf(await stores.widgets.create(ctx(), 'ns', 'v1', widget('w1')))?.size).toBe(7);
    size = -3;
    const update = await rejection(stores.widgets.update(ctx(), 'ns', 'w1', 'v1', (cur) => cur!));
    expect(update.code).toBe(422);
  });

  it('validating plugins are not called when validation already failed, and cannot change the object', async () => {
    let calls = 0;
    stores = await openStores([
      plugin('TryToMutate', ['CREATE'], {
        validate(a: AdmissionAttributes) {
          calls++;
          (a.object as KubeObject).metadata.labels = { sneaky: 'yes' }; // frozen: throws TypeError
        },
      }),
    ]);
    await rejection(stores.widgets.create(ctx(), 'ns', 'v1', widget('bad', { size: 1000 })));
    expect(calls).toBe(0);
    const err = await rejection(stores.widgets.create(ctx(), 'ns', 'v1', widget('w1')));
    expect(calls).toBe(1);
    expect(err.code).toBe(403);
    await expect(stores.widgets.get(ctx(), 'ns', 'w1', 'v1')).rejects.toMatchObject({ reason: 'NotFound' });
  });

  it('dry run: plugins run with dryRun and DryRun options; a refusal is a refusal; nothing is stored', async () => {
    const dryRuns: unknown[] = [];
    stores = await openStores([
      plugin('Observe', ['CREATE'], {
        admit(a: MutatingAttributes) {
          dryRuns.push(['admit', a.dryRun, a.options]);
        },
      }),
      plugin('Refuse', ['CREATE'], {
        validate(a: AdmissionAttributes) {
          dryRuns.push(['validate', a.dryRun]);
          if (a.name === 'no') throw new Error('not this one');
        },
      }),
    ]);
    const out = await stores.widgets.create(ctx({ dryRun: true, fieldManager: 'kubectl' }), 'ns', 'v1', widget('w1'));
    expect(out.metadata.name).toBe('w1');
    expect(dryRuns).toEqual([
      ['admit', true, { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', dryRun: ['All'], fieldManager: 'kubectl', fieldValidation: 'Strict' }],
      ['validate', true],
    ]);
    expect((await stores.widgets.list(ctx(), 'ns', 'v1', {})).items).toHaveLength(0);
    const err = await rejection(stores.widgets.create(ctx({ dryRun: true }), 'ns', 'v1', widget('no')));
    expect(err.message).toBe('widgets.demo.example.com "no" is forbidden: not this one');
  });
});

describe('operations and kinds', () => {
  it('each plugin runs only for the operations it handles, with the attributes of each operation', async () => {
    const calls: Record<string, unknown>[] = [];
    const record = (stage: string) => (a: AdmissionAttributes) =>
      void calls.push({
        stage,
        op: a.operation,
        name: a.name,
        ns: a.namespace,
        sub: a.subresource,
        object: a.object?.metadata.name ?? null,
        old: a.oldObject ? specOf(a.oldObject as KubeObject)?.size : null,
        kind: `${a.kind.group}/${a.kind.version}/${a.kind.kind}`,
        resource: a.resource.resource,
        user: a.user.username,
        options: a.options.kind,
      });
    stores = await openStores([
      plugin('OnCreate', ['CREATE'], { validate: record('create-only') }),
      plugin('OnUpdateDelete', ['UPDATE', 'DELETE'], { admit: record('mutating'), validate: record('validating') } as never),
    ]);
    const c = ctx({ user: { username: 'alice', groups: ['system:authenticated'] } });
    await stores.widgets.create(c, 'ns', 'v1', widget('w1'));
    // A patch is an update through the same path (handlers/patch.go -> rest.Updater).
    await stores.widgets.update(c, 'ns', 'w1', 'v1beta1', (cur) => ({ ...cur!, spec: { ...(cur!.spec as object), size: 2 } }));
    await stores.widgets.update(c, 'ns', 'w1', 'v1', (cur) => ({ ...cur!, status: { phase: 'Ready' } }), { subresource: 'status' });
    await stores.widgets.delete(c, 'ns', 'w1', 'v1', {});
    const base = { name: 'w1', ns: 'ns', user: 'alice', resource: 'widgets' };
    expect(calls).toEqual([
      { ...base, stage: 'create-only', op: 'CREATE', sub: '', object: 'w1', old: null, kind: `${group}/v1/Widget`, options: 'CreateOptions' },
      { ...base, stage: 'mutating', op: 'UPDATE', sub: '', object: 'w1', old: 1, kind: `${group}/v1beta1/Widget`, options: 'UpdateOptions' },
      { ...base, stage: 'validating', op: 'UPDATE', sub: '', object: 'w1', old: 1, kind: `${group}/v1beta1/Widget`, options: 'UpdateOptions' },
      { ...base, stage: 'mutating', op: 'UPDATE', sub: 'status', object: 'w1', old: 2, kind: `${group}/v1/Widget`, options: 'UpdateOptions' },
      { ...base, stage: 'validating', op: 'UPDATE', sub: 'status', object: 'w1', old: 2, kind: `${group}/v1/Widget`, options: 'UpdateOptions' },
      { ...base, stage: 'mutating', op: 'DELETE', sub: '', object: null, old: 2, kind: `${group}/v1/Widget`, options: 'DeleteOptions' },
      { ...base, stage: 'validating', op: 'DELETE', sub: '', object: null, old: 2, kind: `${group}/v1/Widget`, options: 'DeleteOptions' },
    ]);
  });

  it('a refused delete keeps the object; a plugin naming kinds is not called for others', async () => {
    let gadgetCalls = 0;
    stores = await openStores([
      plugin('KeepWidgets', ['DELETE'], { validate: () => { throw new Error('widgets are forever'); } }, { kinds: ['Widget'] }),
      plugin('CountGadgets', ['CREATE', 'DELETE'], { validate: () => void gadgetCalls++ }, { kinds: ['Gadget'] }),
    ]);
    await stores.widgets.create(ctx(), 'ns', 'v1', widget('w1'));
    const err = await rejection(stores.widgets.delete(ctx(), 'ns', 'w1', 'v1', {}));
    expect(err.message).toBe('widgets.demo.example.com "w1" is forbidden: widgets are forever');
    expect((await stores.widgets.get(ctx(), 'ns', 'w1', 'v1')).metadata.name).toBe('w1');
    expect(gadgetCalls).toBe(0);
    await stores.gadgets.create(ctx(), undefined, 'v1', { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g1' } });
    await stores.gadgets.delete(ctx(), undefined, 'g1', 'v1', {});
    expect(gadgetCalls).toBe(2);
  });
});

describe('listers', () => {
  it('read other kinds from the watch cache, without a backend round trip, as the hub version', async () => {
    let listed: string[] = [];
    stores = await openStores([
      plugin('LookAtGadgets', ['CREATE'], {
        async validate(a: AdmissionAttributes & { object: KubeObject }, c: { listers: { get(p: string): { list(): Promise<readonly KubeObject[]>; get(n: string): Promise<KubeObject | undefined> } } }) {
          const gadgets = c.listers.get('gadgets');
          listed = (await gadgets.list()).map((g) => `${g.metadata.name}@${g.metadata.resourceVersion}:${g.apiVersion}`);
          const banned = await gadgets.get(`ban-${a.object.metadata.name}`);
          if (banned) throw new Error(`banned by gadget ${banned.metadata.name}`);
        },
      } as never, { kinds: ['Widget'] }),
    ]);
    const g1 = await stores.gadgets.create(ctx(), undefined, 'v1', { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'ban-w2' } });
    const before = stores.counter.reads;
    await stores.widgets.create(ctx(), 'ns', 'v1', widget('w1'));
    expect(listed).toEqual([`ban-w2@${g1.metadata.resourceVersion}:${group}/v1`]);
    expect(stores.counter.reads).toBe(before); // every read served by the caches
    const err = await rejection(stores.widgets.create(ctx(), 'ns', 'v1', widget('w2')));
    expect(err.message).toBe('widgets.demo.example.com "w2" is forbidden: banned by gadget ban-w2');
    // Later writes are visible to the next request at once (the cache has applied them).
    await stores.gadgets.delete(ctx(), undefined, 'ban-w2', 'v1', {});
    expect((await stores.widgets.create(ctx(), 'ns', 'v1', widget('w2'))).metadata.name).toBe('w2');
    expect(listed).toEqual([]);
  });

  it('asking for an unknown resource is refused with the known ones named', async () => {
    stores = await openStores([
      plugin('Wrong', ['CREATE'], { validate: (_a: unknown, c: { listers: { get(p: string): unknown } }) => void c.listers.get('nopes') } as never),
    ]);
    const err = await rejection(stores.widgets.create(ctx(), 'ns', 'v1', widget('w1')));
    expect(err.message).toContain('no lister for resource "nopes": the group has gadgets, widgets');
  });
});

describe('refusals (admission.NewForbidden, apimachinery errors.NewForbidden)', () => {
  it('an Error is 403 Forbidden `<resource>.<group> "<name>" is forbidden: <message>`', async () => {
    stores = await openStores([plugin('No', ['CREATE'], { validate: () => { throw new Error('not today'); } })]);
    const err = await rejection(stores.widgets.create(ctx(), 'ns', 'v1', widget('w1')));
    expect(err).toBeInstanceOf(StatusError);
    expect((err as unknown as StatusError).toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'widgets.demo.example.com "w1" is forbidden: not today',
      reason: 'Forbidden',
      details: { name: 'w1', group, kind: 'widgets' },
      code: 403,
    });
  });

  it('with generateName the name is the generateName before generation (mutating) and the generated one after', async () => {
    let stage = 'mutating';
    stores = await openStores([
      plugin('No', ['CREATE'], {
        admit: () => { if (stage === 'mutating') throw new Error('m'); },
        validate: () => { throw new Error('v'); },
      } as never),
    ]);
    const obj = { ...widget(''), metadata: { generateName: 'gen-' } };
    expect((await rejection(stores.widgets.create(ctx(), 'ns', 'v1', obj))).message).toBe('widgets.demo.example.com "gen-" is forbidden: m');
    stage = 'validating';
    expect((await rejection(stores.widgets.create(ctx(), 'ns', 'v1', obj))).message).toMatch(/^widgets\.demo\.example\.com "gen-[a-z0-9]{5}" is forbidden: v$/);
  });

  it('a StatusError from a plugin is answered as it is', async () => {
    stores = await openStores([plugin('Busy', ['CREATE'], { validate: () => { throw new StatusError('ServiceUnavailable', 'try later'); } })]);
    const err = await rejection(stores.widgets.create(ctx(), 'ns', 'v1', widget('w1')));
    expect([err.code, err.reason, err.message]).toEqual([503, 'ServiceUnavailable', 'try later']);
  });
});
