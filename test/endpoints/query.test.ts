// Query option parsing and validation: apimachinery pkg/apis/meta/v1/validation/validation.go
// (Create/Update/PatchOptions, DeleteOptions) and pkg/apis/meta/internalversion/validation (ListOptions).
import { describe, expect, it } from 'vitest';
import { parseDeleteOptions, parseReadOptions, parseWriteOptions, queryBool } from '../../src/runtime/endpoints/query.js';
import { StatusError } from '../../src/runtime/errors.js';

function failure(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('booleans', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['', true],
    ['0', false],
    ['false', false],
    ['False', false],
  ])('%j -> %s', (v, want) => expect(queryBool({ watch: v }, 'watch')).toBe(want));
  it('absent is undefined; repeated keys use the first', () => {
    expect(queryBool({}, 'watch')).toBeUndefined();
    expect(queryBool({ watch: ['0', '1'] }, 'watch')).toBe(false);
  });
});

describe('list and watch options', () => {
  it('parses what kubectl and client-go send', () => {
    const o = parseReadOptions({ limit: '500', labelSelector: 'a=b', resourceVersion: '0', timeoutSeconds: '300', allowWatchBookmarks: 'true', watch: '1' });
    expect(o.watch).toBe(true);
    expect(o.list).toMatchObject({ limit: 500, labelSelector: 'a=b', resourceVersion: '0' });
    expect(o.watchQuery).toMatchObject({ allowWatchBookmarks: true, resourceVersion: '0' });
    expect(o.timeoutSeconds).toBe(300);
    expect(o.includeObject).toBe('Metadata');
  });
  it.each([
    [{ resourceVersionMatch: 'Exact' }, 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
    [{ resourceVersionMatch: 'NotOlderThan', resourceVersion: '5', continue: 'x' }, 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided'],
    [{ resourceVersionMatch: 'Exact', resourceVersion: '0' }, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
    [{ resourceVersionMatch: 'Sometimes', resourceVersion: '5' }, 'resourceVersionMatch: Unsupported value: "Sometimes"'],
    [{ sendInitialEvents: 'true' }, 'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
    [{ watch: 'true', resourceVersionMatch: 'NotOlderThan' }, 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'],
    [{ watch: 'true', sendInitialEvents: 'true' }, 'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'],
    [{ watch: 'true', sendInitialEvents: 'true', resourceVersionMatch: 'Exact' }, 'resourceVersionMatch: Unsupported value: "Exact"'],
  ])('%j is 422 ListOptions', (q, message) => {
    const e = failure(() => parseReadOptions(q));
    expect(e.code).toBe(422);
    expect(e.details).toMatchObject({ group: 'meta.k8s.io', kind: 'ListOptions' });
    expect(e.message).toContain('ListOptions.meta.k8s.io "" is invalid: ');
    expect(e.message).toContain(message);
  });
  it('watch-list options pass (validation.go with the WatchList gate on)', () => {
    const o = parseReadOptions({ watch: 'true', sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: 'true' });
    expect(o.watchQuery).toMatchObject({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true });
  });
  it('a non-integer limit is 400; a bad includeObject is 400', () => {
    expect(failure(() => parseReadOptions({ limit: 'lots' })).code).toBe(400);
    expect(failure(() => parseReadOptions({ includeObject: 'Everything' })).code).toBe(400);
  });
});

describe('write options', () => {
  it('defaults: fieldValidation Warn (kube-apiserver default), no dry run', () => {
    expect(parseWriteOptions({}, 'CreateOptions')).toEqual({ dryRun: false, fieldManager: undefined, fieldValidation: 'Warn', force: false });
  });
  it('what kubectl sends', () => {
    expect(parseWriteOptions({ fieldManager: 'kubectl', fieldValidation: 'Strict', force: 'false', dryRun: ['All', 'All'] }, 'PatchOptions', true)).toEqual({
      dryRun: true,
      fieldManager: 'kubectl',
      fieldValidation: 'Strict',
      force: false,
    });
  });
  it.each([
    [{ dryRun: 'Some' }, 'CreateOptions', false, 'dryRun: Unsupported value'],
    [{ fieldValidation: 'Loud' }, 'UpdateOptions', false, 'fieldValidation: Unsupported value: "Loud"'],
    [{ fieldManager: 'x'.repeat(129) }, 'CreateOptions', false, 'fieldManager: Too long'],
    [{ fieldManager: 'bad\u0001manager' }, 'CreateOptions', false, 'invalid character U+0001 (at position 3)'],
    [{ force: 'true' }, 'PatchOptions', false, 'force: Forbidden: may not be specified for non-apply patch'],
    [{}, 'PatchOptions', true, 'fieldManager: Required value: is required for apply patch'],
  ] as const)('%j is 422 %s', (q, kind, apply, message) => {
    const e = failure(() => parseWriteOptions(q, kind, apply));
    expect(e.code).toBe(422);
    expect(e.details).toMatchObject({ group: 'meta.k8s.io', kind });
    expect(e.message).toContain(message);
  });
});

describe('delete options', () => {
  it.each([
    [undefined],
    [{ propagationPolicy: 'Background' }],
    [{ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }],
    [{ kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1' }],
    [{ kind: 'DeleteOptions', apiVersion: 'demo.example.com/v1' }],
  ])('accepts %j', (body) => {
    expect(() => parseDeleteOptions({}, body, 'demo.example.com/v1')).not.toThrow();
  });
  it('kubectl dry-run puts dryRun in the body; the body wins over the query', () => {
    const d = parseDeleteOptions({ gracePeriodSeconds: '5' }, { propagationPolicy: 'Foreground', dryRun: ['All'], gracePeriodSeconds: 0, preconditions: { uid: 'u' } }, 'g/v');
    expect(d).toEqual({ dryRun: true, options: { preconditions: { uid: 'u' }, propagationPolicy: 'Foreground', gracePeriodSeconds: 0 } });
  });
  it('query parameters work without a body; orphanDependents maps to a policy', () => {
    expect(parseDeleteOptions({ orphanDependents: 'true' }, undefined, 'g/v').options).toEqual({ propagationPolicy: 'Orphan' });
  });
  it('invalid options are 422 DeleteOptions; a foreign kind is 400', () => {
    expect(failure(() => parseDeleteOptions({ propagationPolicy: 'Sideways' }, undefined, 'g/v')).details).toMatchObject({ kind: 'DeleteOptions' });
    expect(failure(() => parseDeleteOptions({ orphanDependents: 'true', propagationPolicy: 'Orphan' }, undefined, 'g/v')).code).toBe(422);
    expect(failure(() => parseDeleteOptions({}, { kind: 'Widget', apiVersion: 'g/v' }, 'g/v')).code).toBe(400);
    expect(failure(() => parseDeleteOptions({}, { apiVersion: 'other/v9' }, 'g/v')).code).toBe(400);
  });
});
