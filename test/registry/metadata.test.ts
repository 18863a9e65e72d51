// Object meta validation with kube's messages: k8s.io/apimachinery@v0.32.4
// pkg/api/validation/objectmeta.go, pkg/util/validation/validation.go, pkg/apis/meta/v1/validation.
import { describe, expect, it } from 'vitest';
import { fieldErrorBody } from '../../src/runtime/errors.js';
import type { FieldError } from '../../src/runtime/api.js';
import {
  formatTimestamp,
  generateName,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../src/runtime/registry/metadata.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, validatePathSegmentName } from '../../src/runtime/registry/validation.js';

const show = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('string validators (apimachinery pkg/util/validation/validation.go)', () => {
  it('IsDNS1123Subdomain', () => {
    expect(isDNS1123Subdomain('a.b-c')).toEqual([]);
    expect(isDNS1123Subdomain('Foo')).toEqual([subdomainMsg]);
    expect(isDNS1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });
  it('IsDNS1123Label says "must not contain dots" for a subdomain', () => {
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDNS1123Label('A')[0]).toMatch(/^a lowercase RFC 1123 label must consist of/);
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });
  it('IsQualifiedName', () => {
    expect(isQualifiedName('example.com/My_Name')).toEqual([]);
    expect(isQualifiedName('/x')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
    expect(isQualifiedName('x/' + 'a'.repeat(64))).toEqual(['name part must be no more than 63 characters']);
    expect(isQualifiedName('Bad_/x')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
  });
  it('IsValidLabelValue', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('a'.repeat(64))[0]).toBe('must be no more than 63 characters');
  });
  it('ValidatePathSegmentName', () => {
    expect(validatePathSegmentName('..', false)).toEqual(["may not be '..'"]);
    expect(validatePathSegmentName('a/b%', false)).toEqual(["may not contain '/'", "may not contain '%'"]);
  });
});

describe('ValidateObjectMetaAccessor (objectmeta.go)', () => {
  it('requires a name or generateName', () => {
    expect(show(validateObjectMeta({ namespace: 'ns' }, true))).toEqual(['metadata.name: Required value: name or generateName is required']);
  });
  it('names are DNS subdomains; generateName may end in a dash', () => {
    expect(show(validateObjectMeta({ name: 'Bad', namespace: 'ns' }, true))).toEqual([`metadata.name: Invalid value: "Bad": ${subdomainMsg}`]);
    expect(validateObjectMeta({ name: 'w-abcde', generateName: 'w-', namespace: 'ns' }, true)).toEqual([]);
  });
  it('namespace: required when namespaced, forbidden when cluster-scoped, a DNS label', () => {
    expect(show(validateObjectMeta({ name: 'a' }, true))).toEqual(['metadata.namespace: Required value']);
    expect(show(validateObjectMeta({ name: 'a', namespace: 'x' }, false))).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
    expect(show(validateObjectMeta({ name: 'a', namespace: 'a.b' }, true))).toEqual(['metadata.namespace: Invalid value: "a.b": must not contain dots']);
  });
  it('labels are reported at metadata.labels, key then value', () => {
    const errs = show(validateObjectMeta({ name: 'a', namespace: 'n', labels: { 'bad key': 'bad value' } }, true));
    expect(errs).toHaveLength(2);
    expect(errs[0]).toMatch(/^metadata\.labels: Invalid value: "bad key": name part must consist of alphanumeric characters/);
    expect(errs[1]).toMatch(/^metadata\.labels: Invalid value: "bad value": a valid label must be an empty string or consist of/);
  });
  it('annotations: keys case-insensitive qualified names, total size 256 KiB', () => {
    expect(validateObjectMeta({ name: 'a', namespace: 'n', annotations: { 'Example.COM/Key': 'v' } }, true)).toEqual([]);
    const big = { k: 'x'.repeat(262144) };
    expect(show(validateObjectMeta({ name: 'a', namespace: 'n', annotations: big }, true))).toEqual([
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
  });
  it('finalizers are qualified names; orphan and foregroundDeletion exclude each other', () => {
    expect(show(validateObjectMeta({ name: 'a', namespace: 'n', finalizers: ['example.com/f', 'bad/f/x'] }, true))[0]).toMatch(
      /^metadata\.finalizers: Invalid value: "bad\/f\/x": a qualified name must consist of/,
    );
    expect(show(validateObjectMeta({ name: 'a', namespace: 'n', finalizers: ['orphan', 'foregroundDeletion'] }, true))).toEqual([
      'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
    ]);
  });
  it('owner references', () => {
    const refs = [
      { apiVersion: '', kind: '', name: '', uid: '' },
      { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
      { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true },
    ];
    const errs = show(validateObjectMeta({ name: 'a', namespace: 'n', ownerReferences: refs }, true));
    expect(errs.slice(0, 4)).toEqual([
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ]);
    expect(errs[4]).toMatch(/Only one reference can have Controller set to true\. Found "true" in references for A\/a and B\/b$/);
  });
  it('managedFields entries need operation Apply|Update and FieldsV1', () => {
    expect(show(validateObjectMeta({ name: 'a', namespace: 'n', managedFields: [{ manager: 'm', operation: 'X' as never, fieldsType: 'Y' as never }] }, true))).toEqual([
      'metadata.managedFields[0].operation: Invalid value: "X": must be `Apply` or `Update`',
      'metadata.managedFields[0].fieldsType: Invalid value: "Y": must be `FieldsV1`',
    ]);
  });
});

describe('ValidateObjectMetaAccessorUpdate (objectmeta.go)', () => {
  const old = { name: 'a', namespace: 'n', uid: 'u1', resourceVersion: '5', creationTimestamp: '2025-01-01T00:00:00Z', generation: 2 };
  it('immutable fields', () => {
    expect(show(validateObjectMetaUpdate({ ...old, uid: 'u2' }, old))).toEqual(['metadata.uid: Invalid value: "u2": field is immutable']);
  });
  it('resourceVersion required, generation not decremented', () => {
    expect(show(validateObjectMetaUpdate({ ...old, resourceVersion: '', generation: 1 }, old))).toEqual([
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.generation: Invalid value: 1: must not be decremented',
    ]);
  });
  it('no new finalizers once deletion started', () => {
    const deleting = { ...old, deletionTimestamp: '2025-01-02T00:00:00Z', finalizers: ['a/x'] };
    expect(show(validateObjectMetaUpdate({ ...deleting, finalizers: ['a/x', 'b/y', 'a/z'] }, deleting))).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"a/z", "b/y"}',
    ]);
  });
});

describe('server-filled metadata', () => {
  it('generateName: prefix cut to 58 + 5 chars of kube\'s alphabet (pkg/storage/names/generate.go)', () => {
    expect(generateName('w-')).toMatch(/^w-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(generateName('x'.repeat(70))).toHaveLength(63);
  });
  it('timestamps are RFC 3339 UTC seconds', () => {
    expect(formatTimestamp(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)))).toBe('2025-01-02T03:04:05Z');
  });
});
