// Every spec rule, one row each: the YAML, and every problem it must produce (code, line,
// column), no more and no less. Positions are 1-based and point at the offending key or value.
import { describe, expect, test } from 'vitest';
import { formatProblem, loadSpecText, PROBLEM_CODES } from '../../src/spec/index.js';

interface Want {
  code: string;
  line: number;
  column: number;
}

/** A valid spec with `kinds` (and versions) replaceable, for rows that only differ there. */
const head = `group: demo.example.com
versions:
  - name: v1
    storage: true
`;

/** One kind named `name` at version v1 with an object schema whose properties are `props` (indented YAML). */
const kindWith = (body: string) => `${head}kinds:
  - kind: Widget
${body}`;

const cases: [string, { yaml: string; want: Want[] }][] = [
  ['yaml syntax error', { yaml: 'group: demo.example.com\nversions: [\n', want: [{ code: 'yaml-syntax', line: 3, column: 1 }] }],
  ['yaml unterminated quote', { yaml: 'group: a.b\nname: "demo\n', want: [{ code: 'yaml-syntax', line: 3, column: 1 }] }],
  ['duplicate key', { yaml: `${head}group: other.example.com\n`, want: [{ code: 'duplicate-key', line: 5, column: 1 }] }],
  ['spec is a list', { yaml: '- a\n- b\n', want: [{ code: 'not-a-mapping', line: 1, column: 1 }] }],
  ['spec is empty', { yaml: '# nothing\n', want: [{ code: 'not-a-mapping', line: 1, column: 1 }] }],
  ['spec is a scalar', { yaml: 'hello\n', want: [{ code: 'not-a-mapping', line: 1, column: 1 }] }],
  [
    'missing required top-level fields',
    { yaml: 'name: demo\n', want: [{ code: 'missing-field', line: 1, column: 1 }, { code: 'missing-field', line: 1, column: 1 }, { code: 'missing-field', line: 1, column: 1 }] },
  ],
  [
    'unknown key at the top, in a version and in a kind',
    {
      yaml: `${head}    prefered: true
kinds:
  - kind: Widget
    plurals: widgets
    versions:
      v1:
        schema:
          type: object
frobnicate: 1
`,
      want: [
        { code: 'unknown-key', line: 5, column: 5 },
        { code: 'unknown-key', line: 8, column: 5 },
        { code: 'unknown-key', line: 13, column: 1 },
      ],
    },
  ],
  [
    'unknown keyword in a user schema',
    {
      yaml: kindWith(`    versions:
      v1:
        schema:
          type: object
          properties:
            size: {type: integer, minimun: 0}
`),
      want: [{ code: 'unknown-key', line: 12, column: 35 }],
    },
  ],
  [
    'wrong types',
    {
      yaml: `group: demo.example.com
versions:
  - name: v1
    storage: "true"
deploy:
  replicas: two
kinds: {kind: Widget}
`,
      want: [
        { code: 'wrong-type', line: 4, column: 14 },
        { code: 'wrong-type', line: 6, column: 13 },
        { code: 'wrong-type', line: 7, column: 8 },
        { code: 'storage-version-count', line: 3, column: 3 },
      ],
    },
  ],
  [
    'enum values: scope, printer column type, schema type, list type',
    {
      yaml: kindWith(`    scope: Global
    printerColumns:
      - name: Size
        type: int
        jsonPath: .spec.size
    versions:
      v1:
        schema:
          type: object
          properties:
            size: {type: int}
            tags: {type: array, items: {type: string}, x-kubernetes-list-type: bag}
`),
      want: [
        { code: 'enum', line: 7, column: 12 },
        { code: 'enum', line: 10, column: 15 },
        { code: 'enum', line: 17, column: 26 },
        { code: 'enum', line: 18, column: 80 },
      ],
    },
  ],
  [
    'bad DNS names: group, version, plural, singular, short name, category',
    {
      yaml: `group: Demo_Group
versions:
  - name: V1
    storage: true
kinds:
  - kind: Widget
    plural: Widgets
    singular: wid.get
    shortNames: [w_d]
    categories: [All]
    versions:
      V1:
        schema:
          type: object
`,
      want: [
        { code: 'dns-name', line: 1, column: 8 },
        { code: 'dns-name', line: 3, column: 11 },
        { code: 'dns-name', line: 7, column: 13 },
        { code: 'dns-name', line: 8, column: 15 },
        { code: 'dns-name', line: 9, column: 18 },
        { code: 'dns-name', line: 10, column: 18 },
      ],
    },
  ],
  ['group without a dot', { yaml: head.replace('demo.example.com', 'demo') + 'kinds: []\n', want: [{ code: 'dns-name', line: 1, column: 8 }, { code: 'length', line: 5, column: 8 }] }],
  [
    'name too long',
    { yaml: `name: ${'a'.repeat(64)}\n${head}kinds: []\n`, want: [{ code: 'dns-name', line: 1, column: 7 }, { code: 'length', line: 6, column: 8 }] },
  ],
  [
    'kind not UpperCamelCase',
    {
      yaml: kindWith(`    versions: {v1: {schema: {type: object}}}\n`).replace('kind: Widget', 'kind: my-widget'),
      want: [{ code: 'kind-name', line: 6, column: 11 }],
    },
  ],
  [
    'zero storage versions',
    {
      yaml: `group: demo.example.com
versions:
  - name: v1
  - name: v1beta1
kinds:
  - kind: Widget
    versions: {v1: {schema: {type: object}}}
`,
      want: [{ code: 'storage-version-count', line: 3, column: 3 }],
    },
  ],
  [
    'two storage versions, two preferred, preferred not served, duplicate version',
    {
      yaml: `group: demo.example.com
versions:
  - name: v1
    storage: true
    preferred: true
  - name: v1beta1
    storage: true
    preferred: true
    served: false
  - name: v1
kinds:
  - kind: Widget
    versions: {v1: {schema: {type: object}}}
`,
      want: [
        { code: 'storage-version-count', line: 7, column: 14 },
        { code: 'preferred-version-count', line: 8, column: 16 },
        { code: 'preferred-not-served', line: 8, column: 16 },
        { code: 'duplicate-version', line: 10, column: 11 },
      ],
    },
  ],
  [
    'no served version',
    {
      yaml: `group: demo.example.com
versions:
  - name: v1
    storage: true
    served: false
kinds:
  - kind: Widget
    versions: {v1: {schema: {type: object}}}
`,
      want: [{ code: 'no-served-version', line: 3, column: 3 }],
    },
  ],
  [
    "a kind's version not in the group",
    {
      yaml: kindWith(`    versions:
      v1: {schema: {type: object}}
      v2: {schema: {type: object}}
`),
      want: [{ code: 'unknown-version', line: 9, column: 7 }],
    },
  ],
  ['a kind with empty versions', { yaml: kindWith('    versions: {}\n'), want: [{ code: 'kind-no-versions', line: 7, column: 15 }] }],
  ['a kind without versions', { yaml: kindWith('    scope: Cluster\n'), want: [{ code: 'kind-no-versions', line: 6, column: 5 }] }],
  [
    'duplicate kinds, plurals, singulars and short names across kinds',
    {
      yaml: `${head}kinds:
  - kind: Widget
    shortNames: [wd, wdg]
    versions: {v1: {schema: {type: object}}}
  - kind: Widget
    versions: {v1: {schema: {type: object}}}
  - kind: Gadget
    plural: widgets
    singular: widget
    shortNames: [wdg]
    versions: {v1: {schema: {type: object}}}
  - kind: Policy
    shortNames: [wd]
    versions: {v1: {schema: {type: object}}}
  - kind: PolicyList
    versions: {v1: {schema: {type: object}}}
`,
      want: [
        { code: 'duplicate-kind', line: 9, column: 11 },
        { code: 'duplicate-plural', line: 12, column: 13 },
        { code: 'duplicate-singular', line: 13, column: 15 },
        { code: 'duplicate-short-name', line: 14, column: 18 },
        { code: 'duplicate-short-name', line: 17, column: 18 },
        { code: 'duplicate-kind', line: 19, column: 11 },
      ],
    },
  ],
  [
    'derived plural collides with an explicit one',
    {
      yaml: `${head}kinds:
  - kind: Box
    versions: {v1: {schema: {type: object}}}
  - kind: Crate
    plural: boxes
    versions: {v1: {schema: {type: object}}}
`,
      want: [{ code: 'duplicate-plural', line: 9, column: 13 }],
    },
  ],
  [
    'duplicate short name within a kind',
    { yaml: kindWith('    shortNames: [wd, wd]\n    versions: {v1: {schema: {type: object}}}\n'), want: [{ code: 'duplicate-short-name', line: 7, column: 22 }] },
  ],
  [
    'non-structural: root not an object, missing types, properties with additionalProperties, array without items',
    {
      yaml: kindWith(`    versions:
      v1:
        schema:
          type: string
  - kind: Gadget
    versions:
      v1:
        schema:
          type: object
          properties:
            spec:
              properties:
                a: {description: no type}
                b: {type: object, properties: {x: {type: string}}, additionalProperties: {type: string}}
                c: {type: array}
                d: {type: string, items: {type: string}}
                e: {x-kubernetes-int-or-string: true, type: string}
                f: {x-kubernetes-preserve-unknown-fields: true}
                g: {x-kubernetes-int-or-string: true}
                h: {type: object, additionalProperties: false}
`),
      want: [
        { code: 'non-structural', line: 10, column: 17 },
        { code: 'non-structural', line: 17, column: 13 },
        { code: 'non-structural', line: 19, column: 17 },
        { code: 'non-structural', line: 20, column: 68 },
        { code: 'non-structural', line: 21, column: 17 },
        { code: 'non-structural', line: 22, column: 35 },
        { code: 'non-structural', line: 23, column: 61 },
        { code: 'non-structural', line: 26, column: 57 },
      ],
    },
  ],
  [
    'schema root without a type',
    { yaml: kindWith('    versions:\n      v1:\n        schema:\n          properties: {}\n'), want: [{ code: 'non-structural', line: 10, column: 11 }] },
  ],
  [
    'apiVersion, kind and metadata at the schema root',
    {
      yaml: kindWith(`    versions:
      v1:
        schema:
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec: {type: object, properties: {metadata: {type: string}}}
`),
      want: [
        { code: 'reserved-field', line: 12, column: 13 },
        { code: 'reserved-field', line: 13, column: 13 },
        { code: 'reserved-field', line: 14, column: 13 },
      ],
    },
  ],
  [
    'list-map keys: without list-type map, not required, not scalar, not a property',
    {
      yaml: kindWith(`    versions:
      v1:
        schema:
          type: object
          properties:
            a:
              type: array
              x-kubernetes-list-map-keys: [name]
              items: {type: object, required: [name], properties: {name: {type: string}}}
            b:
              type: array
              x-kubernetes-list-type: map
              x-kubernetes-list-map-keys: [name, port, sub, nope, proto]
              items:
                type: object
                required: [port]
                properties:
                  name: {type: string}
                  port: {type: integer}
                  sub: {type: object}
                  proto: {type: string, default: TCP}
            c:
              type: array
              x-kubernetes-list-type: map
              items: {type: object}
`),
      want: [
        { code: 'list-map-keys', line: 14, column: 15 },
        { code: 'list-map-keys', line: 19, column: 44 },
        { code: 'list-map-keys', line: 19, column: 56 },
        { code: 'list-map-keys', line: 19, column: 61 },
        { code: 'list-map-keys', line: 30, column: 39 },
      ],
    },
  ],
  [
    'enum and default values must match the node type',
    {
      yaml: kindWith(`    versions:
      v1:
        schema:
          type: object
          properties:
            a: {type: integer, default: "3"}
            b: {type: string, enum: [red, 7]}
            c: {type: string, enum: [red, blue], default: green}
            d: {type: string, nullable: true, default: null}
            e: {type: string, default: null}
            f: {x-kubernetes-int-or-string: true, default: 80}
            g: {type: number, default: 1.5}
`),
      want: [
        { code: 'invalid-default', line: 12, column: 41 },
        { code: 'invalid-enum', line: 13, column: 43 },
        { code: 'invalid-default', line: 14, column: 59 },
        { code: 'invalid-default', line: 16, column: 40 },
      ],
    },
  ],
  [
    'pattern must be a regular expression',
    { yaml: kindWith('    versions:\n      v1:\n        schema:\n          type: object\n          properties:\n            a: {type: string, pattern: "([a-z"}\n'), want: [{ code: 'invalid-pattern', line: 12, column: 40 }] },
  ],
  [
    'printer column JSONPath and duplicate names',
    {
      yaml: kindWith(`    printerColumns:
      - {name: Size, type: integer, jsonPath: spec.size}
      - {name: Size, type: integer, jsonPath: ".spec[size"}
      - {name: Ok, type: string, jsonPath: .spec.ok, priority: -1, format: uuid}
    versions: {v1: {schema: {type: object}}}
`),
      want: [
        { code: 'invalid-jsonpath', line: 8, column: 47 },
        { code: 'duplicate-column', line: 9, column: 16 },
        { code: 'invalid-jsonpath', line: 9, column: 47 },
        { code: 'out-of-range', line: 10, column: 64 },
        { code: 'enum', line: 10, column: 76 },
      ],
    },
  ],
  [
    'scale paths must be simple and under .spec / .status',
    {
      yaml: kindWith(`    subresources:
      status: {}
      scale:
        specReplicasPath: .status.replicas
        statusReplicasPath: .status.items[0].replicas
        labelSelectorPath: nope
    versions: {v1: {schema: {type: object}}}
`),
      want: [
        { code: 'invalid-scale-path', line: 10, column: 27 },
        { code: 'invalid-scale-path', line: 11, column: 29 },
        { code: 'invalid-jsonpath', line: 12, column: 28 },
      ],
    },
  ],
  [
    'scale without its required paths; status with keys',
    {
      yaml: kindWith(`    subresources:
      status: {enabled: true}
      scale: {}
    versions: {v1: {schema: {type: object}}}
`),
      want: [
        { code: 'unknown-key', line: 8, column: 16 },
        { code: 'missing-field', line: 9, column: 14 },
        { code: 'missing-field', line: 9, column: 14 },
      ],
    },
  ],
  [
    'selectable fields: bad path, duplicate',
    {
      yaml: kindWith(`    selectableFields:
      - jsonPath: .spec.color
      - jsonPath: .spec.color
      - jsonPath: spec
    versions: {v1: {schema: {type: object}}}
`),
      want: [
        { code: 'duplicate-selectable-field', line: 9, column: 19 },
        { code: 'invalid-jsonpath', line: 10, column: 19 },
      ],
    },
  ],
  [
    'deploy: out of range, unknown key',
    {
      yaml: `${head}deploy:
  groupPriorityMinimum: 20000
  replica: 2
kinds:
  - kind: Widget
    versions: {v1: {schema: {type: object}}}
`,
      want: [
        { code: 'out-of-range', line: 6, column: 25 },
        { code: 'unknown-key', line: 7, column: 3 },
      ],
    },
  ],
];

describe('spec problems (file:line:column of each rule)', () => {
  test.each(cases)('%s', (_name, { yaml, want }) => {
    const result = loadSpecText(yaml, 'aa-gen.yaml');
    expect(result.ok, 'the spec must be rejected').toBe(false);
    if (result.ok) return;
    const got = result.problems.map(({ code, line, column }) => ({ code, line, column }));
    const key = (w: Want) => `${w.line}:${w.column}:${w.code}`;
    expect(got.map(key).sort(), result.problems.map(formatProblem).join('\n')).toEqual(want.map(key).sort());
    for (const p of result.problems) {
      expect(p.file).toBe('aa-gen.yaml');
      expect(Object.hasOwn(PROBLEM_CODES, p.code), `code ${p.code} is documented`).toBe(true);
      expect(p.message.length).toBeGreaterThan(0);
    }
  });
});
