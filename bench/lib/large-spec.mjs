// A valid spec of `kinds` kinds, each in two versions sharing one schema through a YAML anchor.
// The same text as test/spec/bench-spec.ts `largeSpec` (kept in step by hand: bench scripts are
// plain JS and cannot import TypeScript).
export function largeSpec(kinds) {
  const out = ['group: bench.example.com', 'versions:', '  - name: v1', '    storage: true', '  - name: v1beta1', 'kinds:'];
  for (let i = 0; i < kinds; i++) {
    out.push(
      `  - kind: Thing${i}`,
      `    shortNames: [t${i}]`,
      '    subresources: {status: {}}',
      '    printerColumns:',
      '      - {name: Size, type: integer, jsonPath: .spec.size}',
      '    versions:',
      '      v1:',
      `        schema: &s${i}`,
      '          type: object',
      '          properties:',
      '            spec:',
      '              type: object',
      '              required: [size]',
      '              properties:',
      '                size: {type: integer, minimum: 0, default: 1}',
      '                name: {type: string, maxLength: 63}',
      '                tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}',
      '                ports:',
      '                  type: array',
      '                  x-kubernetes-list-type: map',
      '                  x-kubernetes-list-map-keys: [name]',
      '                  items:',
      '                    type: object',
      '                    required: [name]',
      '                    properties: {name: {type: string}, port: {type: integer}}',
      '            status: {type: object, properties: {ready: {type: boolean}}}',
      `      v1beta1: {schema: *s${i}}`,
    );
  }
  return out.join('\n') + '\n';
}
