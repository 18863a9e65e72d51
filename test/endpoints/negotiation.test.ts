import { describe, expect, it } from 'vitest';
import { contentTypeOf, negotiateOutput, parseAccept } from '../../src/runtime/endpoints/negotiation.js';
import { isStatusError } from '../../src/runtime/errors.js';

const kubectlTable = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const metadataList =
  'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const read = { transforms: true, list: true };
const write = { transforms: false, list: false };

describe('negotiateOutput', () => {
  const cases: [string, string | undefined, { transforms: boolean; list: boolean; watch?: boolean }, unknown][] = [
    ['no Accept is JSON', undefined, read, { kind: 'json' }],
    ['*/* is JSON', '*/*', read, { kind: 'json' }],
    ['client-node default', 'application/json, */*;q=0.8', read, { kind: 'json' }],
    ['charset and stream params are ignored', 'application/json;charset=utf-8;stream=watch', read, { kind: 'json' }],
    ['kubectl get asks for a v1 Table (API-CONTRACT 6.1)', kubectlTable, read, { kind: 'table', version: 'v1' }],
    ['v1beta1 Table alone', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io', read, { kind: 'table', version: 'v1beta1' }],
    ['Table is not offered on writes: falls back to JSON', kubectlTable, write, { kind: 'json' }],
    ['metadata client list (6.6)', metadataList, read, { kind: 'partial', version: 'v1' }],
    ['PartialObjectMetadataList does not apply to a single get', metadataList, { transforms: true, list: false }, { kind: 'json' }],
    ['YAML', 'application/yaml', write, { kind: 'yaml' }],
    ['q-values order the choice', 'application/json;q=0.5, application/yaml', write, { kind: 'yaml' }],
    ['application/* is JSON', 'application/*', write, { kind: 'json' }],
  ];
  it.each(cases)('%s', (_name, accept, opts, want) => {
    expect(negotiateOutput(accept, opts)).toEqual(want);
  });

  it('406 NotAcceptable when nothing matches', () => {
    for (const accept of ['text/html', 'application/vnd.kubernetes.protobuf', 'application/json;as=Table;v=v1;g=meta.k8s.io']) {
      let err: unknown;
      try {
        negotiateOutput(accept, write);
      } catch (e) {
        err = e;
      }
      expect(isStatusError(err, 'NotAcceptable')).toBe(true);
      expect((err as { code: number }).code).toBe(406);
    }
  });

  it('a Table of an unknown group or kind is not acceptable', () => {
    expect(() => negotiateOutput('application/json;as=Table;v=v1;g=example.com', read)).toThrow(/only the following media types/);
    expect(() => negotiateOutput('application/json;as=Thing;v=v1;g=meta.k8s.io', read)).toThrow();
  });

  it('watches do not offer YAML', () => {
    expect(() => negotiateOutput('application/yaml', { ...read, watch: true })).toThrow();
  });

  it('content types', () => {
    expect(contentTypeOf({ kind: 'table', version: 'v1' })).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(contentTypeOf({ kind: 'yaml' })).toBe('application/yaml');
  });

  it('parseAccept drops q=0 and sorts stably', () => {
    expect(parseAccept('a/b;q=0, c/d, e/f;q=0.9, g/h').map((r) => `${r.type}/${r.subtype}`)).toEqual(['c/d', 'g/h', 'e/f']);
  });
});
