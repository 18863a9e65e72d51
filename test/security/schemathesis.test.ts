// A second, independent fuzzer (issue 10): schemathesis, a property-based API fuzzer, reads the
// OpenAPI v3 document each example serves for each of its group versions and sends what it
// derives from it (valid and invalid bodies and parameters, coverage of every constraint), as
// the admin, against the examples running as processes on sqlite. It holds when schemathesis'
// `not_a_server_error` check finds no 5xx (kube answers none of these with one) and no request
// failed at the network level (a crash, a reset or a hang). Bounded by examples and time per
// document, with a fixed seed.
//
// schemathesis comes from PyPI: .ci/run installs it into ~/.cache/aa-gen/schemathesis; without
// it the test skips loudly, except under CI=true.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBinary } from '../support/binaries.js';
import { removeDir, startExample, type RunningServer } from '../support/example-server.js';

const cached = join(homedir(), '.cache/aa-gen/schemathesis/bin/schemathesis');
const binary = existsSync(cached) ? cached : hasBinary('schemathesis') ? 'schemathesis' : undefined;
if (!binary) {
  if (process.env['CI'] === 'true') throw new Error('schemathesis is not installed, and CI=true requires the schemathesis fuzzer to run');
  console.warn('\n*** SKIPPING the schemathesis fuzzer: install it with `python3 -m venv ~/.cache/aa-gen/schemathesis && ~/.cache/aa-gen/schemathesis/bin/pip install schemathesis==4.32.5` (CI does) ***\n');
}

const documents = [
  { example: 'demo', group: 'demo.example.com', versions: ['v1', 'v1beta1'], seed: { kind: 'Widget', plural: 'widgets', spec: { size: 1 } } },
  { example: 'wardle', group: 'wardle.example.com', versions: ['v1alpha1', 'v1beta1'], seed: { kind: 'Flunder', plural: 'flunders', spec: {} } },
] as const;

interface Verdict {
  readonly failures: number;
  readonly networkErrors: string[];
  readonly output: string;
}

function runSchemathesis(server: RunningServer, documentPath: string, workDir: string): Verdict {
  const certs = join(server.dataDir, 'certs');
  const reportDir = mkdtempSync(join(workDir, 'report-'));
  // A watch never ends by itself, and objects are easier to reach in one namespace under one
  // name (the seeded object); everything else is schemathesis' to choose.
  const config = join(workDir, 'schemathesis.toml');
  writeFileSync(config, '[parameters]\n"query.watch" = "false"\n"path.namespace" = "default"\n"path.name" = "seeded"\n');
  const r = spawnSync(
    binary!,
    [
      '--config-file', config, 'run', server.url + documentPath,
      '--tls-verify', join(certs, 'ca.crt'), '--request-cert', join(certs, 'admin.crt'), '--request-cert-key', join(certs, 'admin.key'),
      '--checks', 'not_a_server_error', '--exclude-method', 'DELETE',
      '--max-examples', '15', '--max-time', '25', '--seed', '1', '--workers', '2', '--request-timeout', '10',
      '--report', 'junit', '--report-dir', reportDir,
    ],
    { cwd: workDir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } },
  );
  const output = `${r.stdout}\n${r.stderr}`;
  const report = readdirSync(reportDir).find((f) => f.endsWith('.xml'));
  if (!report) throw new Error(`schemathesis wrote no report (exit ${r.status}):\n${output.slice(-3000)}`);
  const xml = readFileSync(join(reportDir, report), 'utf8');
  // <failure> is a check that failed (here: a 5xx); <error> also covers schemathesis' own
  // generation errors, so only network errors among them count against the server.
  // kube's own 5xx for these requests, 504 for a resourceVersion newer than the store
  // (storage/cacher NewTooLargeResourceVersionError), is not a failure.
  const failures = [...xml.matchAll(/<failure[\s\S]*?<\/failure>|<failure[^>]*\/>/g)].filter((m) => !/Too large resource version/.test(m[0])).length;
  const networkErrors = [...xml.matchAll(/<error[^>]*message="([^"]*)"/g)].map((m) => m[1]!).filter((m) => /network|connection|timed out|reset/i.test(m));
  return { failures, networkErrors, output };
}

describe.runIf(binary)('schemathesis against the served OpenAPI v3 (bounded): no 5xx, no network failure', () => {
  const servers = new Map<string, RunningServer>();
  const workDir = mkdtempSync(join(tmpdir(), 'aa-gen-schemathesis-'));

  beforeAll(async () => {
    for (const d of documents) {
      const server = await startExample(d.example, { args: ['--storage-backend', 'sqlite'] });
      servers.set(d.example, server);
    }
  });
  afterAll(async () => {
    for (const s of servers.values()) {
      await s.stop();
      removeDir(s.dataDir);
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  for (const d of documents) {
    for (const version of d.versions) {
      it(`${d.example}: /openapi/v3/apis/${d.group}/${version}`, async () => {
        const server = servers.get(d.example)!;
        // The object every by-name operation is pointed at (created in each version, once).
        const certs = join(server.dataDir, 'certs');
        const { send } = await import('../doubles/https.js');
        const created = await send(`${server.url}/apis/${d.group}/${version}/namespaces/default/${d.seed.plural}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ apiVersion: `${d.group}/${version}`, kind: d.seed.kind, metadata: { name: 'seeded' }, spec: d.seed.spec }),
          ca: readFileSync(join(certs, 'ca.crt'), 'utf8'),
          cert: readFileSync(join(certs, 'admin.crt'), 'utf8'),
          key: readFileSync(join(certs, 'admin.key'), 'utf8'),
        });
        expect([201, 409]).toContain(created.status);

        const v = runSchemathesis(server, `/openapi/v3/apis/${d.group}/${version}`, workDir);
        console.log(v.output.split('\n').filter((l) => l.length < 200 && /generated|passed|failed|Seed/.test(l)).join('\n'));
        expect(server.exitCode(), server.output().slice(-2000)).toBeNull();
        expect(v.failures, v.output.slice(-6000)).toBe(0);
        expect(v.networkErrors, v.output.slice(-6000)).toEqual([]);
        expect(v.output).toMatch(/\d+ generated/);
      });
    }
  }
});
