// A real server (TLS, standalone admin) serving the examples/demo group from its generated
// code, for the bad-input and resource-exhaustion tests. Widget v1's spec.config keeps unknown
// fields (x-kubernetes-preserve-unknown-fields), so deep or big data is stored as sent.
import { apiGroup } from '../../examples/demo/src/generated/registry.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

export { apiGroup };
export type { TestServer };

export const widgets = '/apis/demo.example.com/v1/namespaces/default/widgets';

export function startDemo(args: readonly string[] = []): Promise<TestServer> {
  return startTestServer(apiGroup, { args });
}

export function widget(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name, ...metadata }, spec: { size: 1, ...spec } };
}

export interface Answer {
  readonly status: number;
  readonly body: any;
  readonly text: string;
}

/** One request; JSON bodies are parsed, others kept as text. */
export async function call(s: TestServer, method: string, path: string, body?: unknown, contentType = 'application/json', accept?: string): Promise<Answer> {
  const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const r = await s.fetch(path, { method, body: payload, headers: { 'content-type': contentType, ...(accept ? { accept } : {}) } });
  const text = String(r.body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: r.status, body: parsed, text };
}

export const patchTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
