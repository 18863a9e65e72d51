// /healthz, /livez, /readyz and their /<check> paths, with ?verbose and ?exclude, in the
// output format of k8s.io/apiserver pkg/server/healthz/healthz.go (API-CONTRACT 8.11). These
// paths need no credentials: the authentication hook lets them through (isHealthPath).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { StatusError } from '../errors.js';
import { notFoundMessage, sendStatus } from './status.js';

/** One named check; it rejects (or throws) when unhealthy. The reason is logged, never sent. */
export interface HealthCheck {
  readonly name: string;
  check(): void | Promise<void>;
}

export interface HealthChecks {
  readonly healthz: readonly HealthCheck[];
  readonly livez: readonly HealthCheck[];
  readonly readyz: readonly HealthCheck[];
}

export const healthEndpoints = ['healthz', 'livez', 'readyz'] as const;

/** True for `/healthz`, `/livez`, `/readyz` and any path below them (query ignored). */
export function isHealthPath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return healthEndpoints.some((n) => path === `/${n}` || path.startsWith(`/${n}/`));
}

async function run(c: HealthCheck): Promise<unknown> {
  try {
    await c.check();
    return undefined;
  } catch (e) {
    return e ?? new Error('check failed');
  }
}

function plain(reply: FastifyReply, code: number, body: string): FastifyReply {
  return reply
    .code(code)
    .header('Content-Type', 'text/plain; charset=utf-8')
    .header('X-Content-Type-Options', 'nosniff')
    .send(body);
}

function queryList(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function healthRoutes(app: FastifyInstance, checks: HealthChecks): void {
  for (const name of healthEndpoints) {
    const list = checks[name];

    app.get(`/${name}`, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const excluded = new Set(queryList(query.exclude));
      const results = await Promise.all(
        list.map(async (c) => (excluded.has(c.name) ? ({ c, skipped: true } as const) : { c, err: await run(c) })),
      );
      let out = '';
      const failed: string[] = [];
      for (const r of results) {
        excluded.delete(r.c.name);
        if ('skipped' in r) out += `[+]${r.c.name} excluded: ok\n`;
        else if (r.err) {
          out += `[-]${r.c.name} failed: reason withheld\n`;
          failed.push(r.c.name);
          request.log.warn({ check: r.c.name, err: r.err }, `${name} check failed`);
        } else out += `[+]${r.c.name} ok\n`;
      }
      if (excluded.size > 0) {
        const names = [...excluded].map((n) => JSON.stringify(n)).join(',');
        out += `warn: some health checks cannot be excluded: no matches for ${names}\n`;
      }
      // Always verbose on failure, as upstream.
      if (failed.length > 0) return plain(reply, 500, `${out}${name} check failed\n`);
      if (!('verbose' in query)) return plain(reply, 200, 'ok');
      return plain(reply, 200, `${out}${name} check passed\n`);
    });

    app.get(`/${name}/:check`, async (request, reply) => {
      const { check } = request.params as { check: string };
      const c = list.find((x) => x.name === check);
      if (!c) return sendStatus(reply, new StatusError('NotFound', notFoundMessage, {}).toStatus());
      const err = await run(c);
      if (err) return plain(reply, 500, `internal server error: ${err instanceof Error ? err.message : String(err)}\n`);
      return plain(reply, 200, 'ok');
    });
  }
}

/** The `ping` check every endpoint has: the server answers. */
export const pingCheck: HealthCheck = { name: 'ping', check() {} };
