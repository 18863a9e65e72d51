// The IR builder's defaults, names and ordering (src/model/build.ts, names.ts, versions.ts).
import { describe, expect, test } from 'vitest';
import { pluralOf, singularOf, defaultProjectName } from '../../src/model/names.js';
import { compareKubeAwareVersions, sortByKubePriority, versionPriorities } from '../../src/model/versions.js';
import { formatProblem, loadSpecText } from '../../src/spec/index.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';

function load(yaml: string) {
  const r = loadSpecText(yaml, 'aa-gen.yaml');
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  return r.ir;
}

describe('names', () => {
  test.each([
    ['Flunder', 'flunders'],
    ['Policy', 'policies'],
    ['Day', 'days'],
    ['Box', 'boxes'],
    ['Status', 'statuses'],
    ['Quiz', 'quizes'],
    ['Match', 'matches'],
    ['Mesh', 'meshes'],
    ['Endpoints', 'endpointses'],
  ])('plural of %s is %s', (kind, plural) => expect(pluralOf(kind)).toBe(plural));

  test('singular and project name', () => {
    expect(singularOf('FlunderPolicy')).toBe('flunderpolicy');
    expect(defaultProjectName('wardle.example.com')).toBe('wardle');
  });
});

describe('Kubernetes version priority (apimachinery version.CompareKubeAwareVersionStrings)', () => {
  test('GA > beta > alpha, then higher major, then higher minor, then others alphabetically', () => {
    const want = ['v10', 'v2', 'v1', 'v11beta2', 'v10beta3', 'v3beta1', 'v12alpha1', 'v11alpha2', 'foo1', 'foo10'];
    const shuffled = ['foo10', 'v1', 'v11alpha2', 'v3beta1', 'v2', 'foo1', 'v12alpha1', 'v10beta3', 'v10', 'v11beta2'];
    expect(sortByKubePriority(shuffled)).toEqual(want);
    expect(compareKubeAwareVersions('v1', 'v1')).toBe(0);
  });

  test('priorities spread from 100 and never fall below 1', () => {
    expect(versionPriorities(1)).toEqual([100]);
    expect(versionPriorities(3)).toEqual([100, 90, 80]);
    const many = versionPriorities(12);
    expect(many[0]).toBe(100);
    expect(Math.min(...many)).toBeGreaterThanOrEqual(1);
    expect([...many].sort((a, b) => b - a)).toEqual(many);
    expect(new Set(many).size).toBe(12);
    expect(Math.min(...versionPriorities(150))).toBe(1);
  });
});

describe('building the IR', () => {
  test('the widgets fixture, written as a spec, builds to test/fixtures/ir/widgets.ts', () => {
    const ir = load(`group: demo.example.com
versions:
  - name: v1beta1
  - name: v1
    storage: true
kinds:
  - kind: Widget
    shortNames: [wd]
    categories: [all]
    description: A Widget is a demo object with every feature aa-gen supports.
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    printerColumns:
      - {name: Size, type: integer, jsonPath: .spec.size, description: Size of the widget.}
      - {name: Color, type: string, jsonPath: .spec.color, priority: 1}
      - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    selectableFields: [{jsonPath: .spec.color}]
    versions:
      v1:
        schema:
          type: object
          properties:
            spec:
              type: object
              description: WidgetSpec is the desired state of a Widget.
              required: [size]
              properties:
                size: {type: integer, format: int32, minimum: 0, maximum: 100, description: Size of the widget.}
                replicas: {type: integer, format: int32, default: 1, minimum: 0}
                color: {type: string, enum: [red, green, blue], default: red}
                port: {x-kubernetes-int-or-string: true, description: A port number or name.}
                labels: {type: object, additionalProperties: {type: string}, x-kubernetes-map-type: granular}
                ports:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name]
                  items:
                    type: object
                    required: [name]
                    properties:
                      name: {type: string, maxLength: 15, pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$'}
                      port: {type: integer, minimum: 1, maximum: 65535}
                tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
                note: {type: string, nullable: true}
                config: {type: object, x-kubernetes-preserve-unknown-fields: true}
                createdBy: {type: string, format: email}
            status: &status
              type: object
              properties:
                replicas: {type: integer, format: int32}
                selector: {type: string}
                conditions:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [type]
                  items:
                    type: object
                    required: [type, status]
                    properties:
                      type: {type: string}
                      status: {type: string, enum: ['True', 'False', Unknown]}
                      lastTransitionTime: {type: string, format: date-time}
                      message: {type: string}
      v1beta1:
        schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 0}
                replicas: {type: integer, default: 1}
                colour: {type: string, description: Renamed to color in v1.}
                port: {x-kubernetes-int-or-string: true}
            status: *status
  - kind: Gadget
    shortNames: [gd]
    scope: Cluster
    description: A cluster-scoped kind that exists only in v1beta1.
    versions:
      v1beta1:
        schema:
          type: object
          properties:
            spec: {type: object, properties: {enabled: {type: boolean, default: false}}}
`);
    expect(ir).toEqual(widgetsIR);
  });

  const minimal = (versions: string, extra = '') => `group: shop.example.com
versions:
${versions}
kinds:
  - kind: Order
${extra}    versions:
      v1alpha1: {schema: {type: object}}
`;

  test('defaults: name, deploy, preferred by priority, Age column, verbs, scope', () => {
    const ir = load(minimal('  - {name: v1alpha1, storage: true}\n  - {name: v1beta2}\n  - {name: v1beta10, served: false}'));
    expect(ir.name).toBe('shop');
    expect(ir.deploy).toEqual({ namespace: 'shop', serviceName: 'shop-apiserver', image: 'shop-apiserver:latest', replicas: 1, groupPriorityMinimum: 1000 });
    // v1beta10 outranks v1beta2 but is not served, so v1beta2 is preferred.
    expect(ir.versions.map((v) => [v.name, v.preferred, v.versionPriority])).toEqual([
      ['v1beta2', true, 100],
      ['v1beta10', false, 90],
      ['v1alpha1', false, 80],
    ]);
    expect(ir.preferredVersion).toBe('v1beta2');
    expect(ir.storageVersion).toBe('v1alpha1');
    const order = ir.kinds[0];
    expect(order).toMatchObject({ plural: 'orders', singular: 'order', listKind: 'OrderList', scope: 'Namespaced', description: '' });
    expect(order.printerColumns).toEqual([{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0, description: '', format: '' }]);
    expect(order.verbs).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    expect(order.subresources).toEqual({ status: false });
  });

  test('explicit deploy and name; empty printerColumns stay empty', () => {
    const ir = load(
      'name: orders\ndeploy: {namespace: shop-system, image: reg.example.com/shop:1, replicas: 3, groupPriorityMinimum: 2000}\n' +
        minimal('  - {name: v1alpha1, storage: true}', '    printerColumns: []\n'),
    );
    expect(ir.deploy).toEqual({ namespace: 'shop-system', serviceName: 'orders-apiserver', image: 'reg.example.com/shop:1', replicas: 3, groupPriorityMinimum: 2000 });
    expect(ir.kinds[0].printerColumns).toEqual([]);
  });

  test("a kind without the group's storage version stores in its most preferred version", () => {
    const ir = load(`group: shop.example.com
versions:
  - {name: v1, storage: true}
  - {name: v1beta1}
  - {name: v1alpha1}
kinds:
  - kind: Order
    versions:
      v1alpha1: {schema: {type: object}}
      v1beta1: {schema: {type: object}}
`);
    const order = ir.kinds[0];
    expect(order.storageVersion).toBe('v1beta1');
    expect(order.versions.map((v) => [v.version, v.storage])).toEqual([
      ['v1beta1', true],
      ['v1alpha1', false],
    ]);
  });

  test('an explicitly preferred version comes first even when it ranks lower', () => {
    const ir = load(minimal('  - {name: v1alpha1, storage: true, preferred: true}\n  - {name: v1}'));
    expect(ir.versions.map((v) => v.name)).toEqual(['v1alpha1', 'v1']);
    expect(ir.preferredVersion).toBe('v1alpha1');
  });

  test('kinds are sorted by name', () => {
    const ir = load(`group: shop.example.com
versions: [{name: v1, storage: true}]
kinds:
  - {kind: Zebra, versions: {v1: {schema: {type: object}}}}
  - {kind: Apple, versions: {v1: {schema: {type: object}}}}
`);
    expect(ir.kinds.map((k) => k.kind)).toEqual(['Apple', 'Zebra']);
  });
});

describe('a large spec', () => {
  test('200 kinds load (timing belongs in bench/, this only checks it works)', async () => {
    const { largeSpec } = await import('./bench-spec.js');
    const r = loadSpecText(largeSpec(200), 'big.yaml');
    if (!r.ok) throw new Error(r.problems.slice(0, 5).map(formatProblem).join('\n'));
    expect(r.ir.kinds).toHaveLength(200);
  });
});
