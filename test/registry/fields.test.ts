// Field selectors: k8s.io/apimachinery@v0.32.4 pkg/fields/selector.go and the unknown-field
// message of pkg/runtime/conversion.go (DefaultMetaV1FieldSelectorConversion).
import { describe, expect, it } from 'vitest';
import { compileFieldSet, parseFieldSelector } from '../../src/runtime/registry/fields.js';
import { isStatusError } from '../../src/runtime/errors.js';

const fieldSet = compileFieldSet(['.spec.color', '.spec.size']);
const obj = { metadata: { name: 'w1', namespace: 'ns' }, spec: { color: 'red', size: 3 } };
const match = (sel: string) => parseFieldSelector(sel, fieldSet).matches((f) => fieldSet.value(obj, f));

describe('field selectors (apimachinery pkg/fields/selector.go)', () => {
  it.each([
    ['', true],
    ['metadata.name=w1', true],
    ['metadata.name==w1', true],
    ['metadata.name!=w1', false],
    ['metadata.namespace=ns,metadata.name=w1', true],
    ['metadata.namespace=other', false],
    ['spec.color=red', true],
    ['spec.size=3', true],
    ['spec.color!=blue', true],
    ['metadata.name=', false],
  ])('%j matches %s', (sel, want) => expect(match(sel)).toBe(want));

  it('unescapes \\, \\= and \\\\ in values', () => {
    const o = { metadata: { name: 'a,b=c\\d' } };
    expect(parseFieldSelector('metadata.name=a\\,b\\=c\\\\d', fieldSet).matches((f) => fieldSet.value(o, f))).toBe(true);
  });

  it.each([
    ['spec.foo=x', '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace", "spec.color", "spec.size"'],
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['metadata.name=a\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['metadata.name=a=b', 'invalid field selector: unescaped character in value: 61'],
  ])('%j is a 400: %s', (sel, message) => {
    let err: unknown;
    try {
      parseFieldSelector(sel, fieldSet);
    } catch (e) {
      err = e;
    }
    expect(isStatusError(err, 'BadRequest')).toBe(true);
    expect((err as Error).message).toBe(message);
  });

  it('without selectable fields lists only metadata.name and metadata.namespace', () => {
    expect(() => parseFieldSelector('status.phase=x', compileFieldSet([]))).toThrow(
      '"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });

  it('exposes the name a selector pins (kubectl get NAME -w)', () => {
    expect(parseFieldSelector('metadata.name=w1', fieldSet).exactValue('metadata.name')).toBe('w1');
  });
});
