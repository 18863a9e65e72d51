// The identity kube-aggregator proxies, read as Go reads it (k8s.io/apiserver
// pkg/authentication/request/headerrequest/requestheader.go): header values are bytes, UTF-8
// as sent, and reach the SubjectAccessReview as encoding/json writes them (each byte of an
// invalid sequence as U+FFFD); extra keys are the keys of a Go map, so `__proto__` or
// `constructor` are ordinary keys. Checked at the kube-apiserver double (the review it received)
// and in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../auth/helpers.js';
import { startDelegatedServer, type DelegatedServer } from './delegated-server.js';

const flunders = '/apis/wardle.example.com/v1beta1/namespaces/ns/flunders';

/** Header text carrying these bytes: Node's client writes each char of a header value as one byte. */
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))).toString('latin1');

let s: DelegatedServer;
beforeAll(async () => {
  s = await startDelegatedServer({
    sarRules: [{ users: ['josé', 'a\uFFFDb', 'proto'], resources: ['flunders'], verbs: ['list'], decision: 'allow' }],
  });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

/** The last review the double received and the audit event of `auditID` (written once the response is complete). */
async function seen(auditID: unknown) {
  const event = () => s.auditEvents().find((e) => e.auditID === auditID);
  await eventually(() => event() !== undefined);
  return { spec: s.kube.subjectAccessReviews.at(-1).spec, event: event() };
}

describe('front-proxy header values are UTF-8 bytes', () => {
  it('josé and the group équipe are reviewed and audited as sent, not as latin1 (josÃ©)', async () => {
    const r = await s.as({ user: bytes('josé'), groups: [bytes('équipe')] }, flunders);
    expect(r.status).toBe(200);
    const { spec, event } = await seen(r.headers['audit-id']);
    expect([spec.user, spec.groups]).toEqual(['josé', ['équipe', 'system:authenticated']]);
    expect(event.user).toEqual({ username: 'josé', groups: ['équipe', 'system:authenticated'] });
  });

  it('invalid UTF-8 becomes one U+FFFD per byte, as encoding/json writes it', async () => {
    // 0xff is never UTF-8; E2 82 starts a three-byte sequence that `y` cuts short (two bytes, two U+FFFD).
    const r = await s.as({ user: bytes('a', [0xff], 'b'), groups: [bytes('x', [0xe2, 0x82], 'y')] }, flunders);
    expect(r.status).toBe(200);
    const { spec, event } = await seen(r.headers['audit-id']);
    expect([spec.user, spec.groups]).toEqual(['a\uFFFDb', ['x\uFFFD\uFFFDy', 'system:authenticated']]);
    expect(event.user.username).toBe('a\uFFFDb');
  });
});

describe('extra keys are ordinary keys (a Go map), whatever their name', () => {
  it('__proto__, constructor and hasOwnProperty reach the review and the audit event as keys', async () => {
    const expected: Array<[string, string[]]> = [
      ['__proto__', ['p']],
      ['constructor', ['c']],
      ['hasownproperty', ['h1', 'h2']],
      ['tostring', ['t']],
    ];
    const r = await s.as({ user: 'proto' }, flunders, {
      headers: {
        'X-Remote-Extra-__proto__': 'p',
        'X-Remote-Extra-Constructor': 'c',
        'X-Remote-Extra-hasOwnProperty': ['h1', 'h2'],
        'X-Remote-Extra-toString': 't',
      },
    });
    expect(r.status).toBe(200);
    const { spec, event } = await seen(r.headers['audit-id']);
    for (const got of [spec.extra, event.user.extra]) {
      // Own keys of the parsed JSON (JSON.parse makes `__proto__` an own key too).
      const own = Object.keys(got).sort().map((k) => [k, Object.getOwnPropertyDescriptor(got, k)?.value]);
      expect(own).toEqual(expected);
    }
  });

  it('percent-escaped keys are read as UTF-8 bytes (url.PathUnescape), invalid bytes as U+FFFD', async () => {
    const r = await s.as({ user: 'proto' }, flunders, { headers: { 'X-Remote-Extra-Cl%C3%A9': 'v', 'X-Remote-Extra-Scope%FF': 'w' } });
    expect(r.status).toBe(200);
    expect((await seen(r.headers['audit-id'])).spec.extra).toEqual({ 'clé': ['v'], 'scope\uFFFD': ['w'] });
  });
});
