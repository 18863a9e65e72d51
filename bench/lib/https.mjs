// Setup requests from the main thread (create the object under test, read it back...), as the
// admin, on fresh connections. The load itself goes through the worker (client-worker.mjs).
import { request } from 'node:https';

/** Resolves {status, body, json()}; rejects only on network errors. */
export function call(s, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      s.url + path,
      {
        method,
        ca: s.ca,
        cert: s.admin.cert,
        key: s.admin.key,
        agent: false,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** Like call(), but throws unless the status is `expect`. */
export async function must(expect, s, method, path, body, headers) {
  const r = await call(s, method, path, body, headers);
  if (r.status !== expect) throw new Error(`${method} ${path}: expected ${expect}, got ${r.status}: ${r.body.slice(0, 400)}`);
  return r;
}
