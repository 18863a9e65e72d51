// One HTTPS request on a fresh connection (no agent, so no TLS session reuse: every request
// presents its own client certificate). Header values given as arrays go out as one header
// line per value, as Go's http client sends repeated headers.
import { request } from 'node:https';

export interface SendOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
  /** PEM trusted for the server's certificate. */
  readonly ca?: string;
  /** Client certificate (with intermediates) and key, PEM. */
  readonly cert?: string;
  readonly key?: string;
}

export interface SentResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  json(): any;
}

export function send(url: string, o: SendOptions = {}): Promise<SentResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(o.headers ?? {})) headers[k] = typeof v === 'string' ? v : [...v];
    // Content-Length as Go's client sends it: node's sends a DELETE or OPTIONS body unframed.
    if (o.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(Buffer.byteLength(o.body));
    }
    // The target goes out as written: parsing the URL would drop a `#...` from it.
    const u = new URL(url);
    const target = { hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: url.slice(u.origin.length) || '/' };
    const req = request(
      { ...target, method: o.method ?? 'GET', headers, ca: o.ca, cert: o.cert, key: o.key, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}
