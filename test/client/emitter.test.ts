// The client emitter: src/generated/client/index.ts for the fixture IRs — deterministic, named
// as documented, and typechecking (with a usage file that exercises the typed surface) in a
// project that depends only on aa-gen.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clientEmitter } from '../../src/emit/client.js';
import { wardleIR } from '../fixtures/ir/wardle.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';
import { cleanup, emitTypeScript, handWrittenFlunder, repoRoot, typecheck, writeProject, type TempProject } from '../emit/project.js';
import { paths } from '../../src/emit/paths.js';
import type { ProjectIR } from '../../src/model/ir.js';

const made: TempProject[] = [];
afterAll(() => cleanup(made));

beforeAll(() => {
  // The temp project resolves aa-gen/runtime to dist/. Other areas may be mid-edit, so the exit
  // code is not checked; missing runtime exports show up as type errors below.
  spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'tsconfig.build.json')], {
    stdio: 'ignore',
  });
}, 120_000);


const emitted = (ir: ProjectIR) => clientEmitter.emit(ir);

describe('client emitter', () => {
  test.each([
    ['widgets', widgetsIR],
    ['wardle', wardleIR],
  ])('%s: one generated file under clientDir, byte-identical across runs, formattable', async (_name, ir) => {
    const [first, ...rest] = emitted(ir);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ path: 'src/generated/client/index.ts', owner: 'generated' });
    expect(emitted(ir)).toEqual([first]);
    expect(first!.content.endsWith('\n')).toBe(true);
    expect(first!.content).not.toMatch(/\/work\/|\d{4}-\d{2}-\d{2}T/);
    await expect(prettier.format(first!.content, { parser: 'typescript' })).resolves.toBeTypeOf('string');
  });

  test('widgets: a property per served version, a factory per kind, namespaced kinds take a namespace', () => {
    const text = emitted(widgetsIR)[0]!.content;
    expect(text).toContain(`import type * as v1 from "../apis/demo.example.com/v1/types.js";`);
    expect(text).toContain('export function createClient(kubeConfig: KubeConfig): Clientset');
    expect(text).toMatch(/export interface Clientset \{\n  readonly v1: V1Client;\n  readonly v1beta1: V1beta1Client;\n\}/);
    // Widget has status and scale: the full client. Gadget has neither, and is cluster-scoped.
    expect(text).toContain('widgets(namespace?: string): ResourceClient<v1.Widget, v1.WidgetList, WidgetField>;');
    expect(text).toContain('gadgets(): Omit<ResourceClient<v1beta1.Gadget, v1beta1.GadgetList, GadgetField>, StatusMethods | ScaleMethods>;');
    expect(text).not.toMatch(/V1Client \{[^}]*gadgets/);
    expect(text).toContain('export type WidgetField = "metadata.name" | "metadata.namespace" | "spec.color";');
    // Informers watch the kind's preferred served version.
    expect(text).toContain('export function createWidgetInformer(client: Clientset, options: InformerOptions<WidgetField> = {}): Informer<v1.Widget>');
    expect(text).toContain('export function createGadgetInformer(client: Clientset, options: InformerOptions<GadgetField> = {}): Informer<v1beta1.Gadget>');
    // Generated code imports only aa-gen/runtime and its own generated types.
    const imports = [...text.matchAll(/from "?'?([^"';]+)["']/g)].map((m) => m[1]);
    expect(imports.every((i) => i === 'aa-gen/runtime' || i!.startsWith('../apis/'))).toBe(true);
  });

  test('wardle: v1beta1 first (preferred), informer on v1beta1 Flunder, Fischer only in v1alpha1', () => {
    const text = emitted(wardleIR)[0]!.content;
    expect(text.indexOf('readonly v1beta1')).toBeLessThan(text.indexOf('readonly v1alpha1'));
    expect(text).toContain('Informer<v1beta1.Flunder>');
    expect(text).toContain('Informer<v1alpha1.Fischer>');
    expect(text).toContain('fischers(): Omit<ResourceClient<v1alpha1.Fischer, v1alpha1.FischerList, FischerField>, StatusMethods | ScaleMethods>;');
  });

  test('a version no kind is served in gets no property', () => {
    const ir: ProjectIR = {
      ...widgetsIR,
      kinds: widgetsIR.kinds.map((k) => ({ ...k, versions: k.versions.map((v) => (v.version === 'v1beta1' ? { ...v, served: false } : v)) })),
    };
    const text = emitted(ir)[0]!.content;
    expect(text).not.toContain('v1beta1');
    expect(text).not.toContain('createGadgetInformer');
  });

  const widgetsUsage = `
import type { KubeConfig } from 'aa-gen/runtime';
import { isConflict } from 'aa-gen/runtime';
import { createClient, createWidgetInformer } from '../generated/client/index.js';
import type * as v1 from '../generated/apis/demo.example.com/v1/types.js';

export async function use(kc: KubeConfig): Promise<number> {
  const client = createClient(kc);
  const widgets = client.v1.widgets('default');
  const w: v1.Widget = await widgets.create({ apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'a' }, spec: { size: 1 } });
  const size: number = w.spec?.size ?? 0;
  await widgets.patch('a', { spec: { color: 'blue', note: null } });
  await widgets.patch('a', [{ op: 'replace', path: '/spec/size', value: 3 }], { type: 'json' });
  await widgets.patch('a', { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'a' } }, { type: 'apply', fieldManager: 'me', force: true });
  const scale = await widgets.getScale('a');
  await widgets.updateScale('a', { ...scale, spec: { replicas: 2 } });
  await widgets.updateStatus(w);
  const list: v1.WidgetList = await widgets.list({ fieldSelector: { 'spec.color': 'red' }, labelSelector: { app: 'x' }, limit: 10 });
  for await (const item of client.v1.widgets().listAll()) void item.metadata.name;
  // @ts-expect-error color is not a selectable field of gadgets
  await client.v1beta1.gadgets().list({ fieldSelector: { 'spec.color': 'red' } });
  // @ts-expect-error Gadget has no scale subresource
  void client.v1beta1.gadgets().getScale;
  // @ts-expect-error Gadget is cluster-scoped: no namespace
  void client.v1beta1.gadgets('default');
  // @ts-expect-error v1beta1 Widget has no color
  await client.v1beta1.widgets('default').patch('a', { spec: { color: 'red' } });
  for await (const event of widgets.watch({ allowWatchBookmarks: true })) {
    if (event.type === 'BOOKMARK') void event.object.metadata.resourceVersion;
    else { const obj: v1.Widget = event.object; void obj; }
    break;
  }
  try { await widgets.update(w); } catch (e) { if (isConflict(e)) return -1; }
  const informer = createWidgetInformer(client, { namespace: 'default', resyncPeriodMs: 60_000 });
  informer.on('update', (oldObj, newObj) => void [oldObj.spec?.size, newObj.spec?.size]);
  await informer.start();
  const cached: v1.Widget | undefined = informer.lister.get('default', 'a');
  await informer.stop();
  return size + list.items.length + (cached ? 1 : 0);
}
`;

  test.each([
    ['widgets', widgetsIR, widgetsUsage],
    ['wardle', wardleIR, ''],
  ])('%s: the client (and a usage file) typechecks with tsc --strict', (name, ir, usage) => {
    const overrides: Record<string, string> = {};
    const files = [...emitTypeScript(ir), ...emitted(ir)];
    if (ir === wardleIR) {
      const stub = files.find((f) => f.path === 'src/conversion/flunder.ts');
      if (stub) overrides[stub.path] = handWrittenFlunder;
    }
    const project = writeProject(`client-${name}`, files, overrides);
    made.push(project);
    if (usage) project.write('src/usage/client.ts', usage);
    expect(typecheck(project.dir)).toEqual([]);
  }, 120_000);
});

void paths;
