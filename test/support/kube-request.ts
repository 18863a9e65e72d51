// One request to a control plane's kube-apiserver as its admin (client certificate), the body
// parsed: for checking the exact Status an aggregated server answers through the aggregator.
import { request } from 'node:https';
import type { ControlPlane } from './control-plane.js';

export function adminRequest(cp: ControlPlane, method: string, path: string, body?: unknown): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      cp.url + path,
      { method, ca: cp.ca.cert, cert: cp.admin.cert, key: cp.admin.key, timeout: 10_000, headers: { Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ code: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.end(payload);
  });
}
