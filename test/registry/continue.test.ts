// Continue tokens: k8s.io/apiserver@v0.32.4 pkg/storage/continue.go.
import { describe, expect, it } from 'vitest';
import { decodeContinue, encodeContinue } from '../../src/runtime/registry/continue.js';
import { isStatusError } from '../../src/runtime/errors.js';

const prefix = '/registry/demo.example.com/widgets/';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('continue tokens (apiserver pkg/storage/continue.go)', () => {
  it('round-trips the revision and the last key, in kube\'s token shape', () => {
    const token = encodeContinue(`${prefix}ns/w1`, prefix, 42);
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: 42, start: 'ns/w1\u0000' });
    expect(decodeContinue(token, prefix)).toEqual({ startAfter: `${prefix}ns/w1`, revision: 42 });
  });

  it.each([
    ['not base64!', 'invalid continue token: continue key is not valid: illegal base64 data'],
    [b64({ v: 'x', rv: 1, start: 'a\u0000' }), 'invalid continue token: continue key is not valid: server does not recognize this encoded version x'],
    [b64({ v: 'meta.k8s.io/v1', rv: 0, start: 'a\u0000' }), 'invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)'],
    [b64({ v: 'meta.k8s.io/v1', rv: 3, start: '' }), 'invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)'],
    [b64({ v: 'meta.k8s.io/v1', rv: 3, start: '../x\u0000' }), 'invalid continue token: continue key is not valid: ../x\u0000'],
  ])('a malformed token is a 400 (%#)', (token, message) => {
    let err: unknown;
    try {
      decodeContinue(token, prefix);
    } catch (e) {
      err = e;
    }
    expect(isStatusError(err, 'BadRequest')).toBe(true);
    expect((err as Error).message).toBe(message);
  });

  it('JSON garbage is a 400 too', () => {
    expect(() => decodeContinue(Buffer.from('{').toString('base64url'), prefix)).toThrow(/^invalid continue token: continue key is not valid: /);
  });
});
