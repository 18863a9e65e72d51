// Bench 1 (issue 3): GET one object through the whole server — TLS, standalone client-cert
// authentication, watch cache, encoding — against a bare fastify HTTPS route that returns a
// fixed object of the same size. Same process, same TLS certificate and options, same load
// worker, same concurrency; rounds alternate between the two so that noise from neighbours
// hits both. Target: server / baseline >= 0.6.
//   node bench/get.mjs [--quick] [--concurrency 16] [--seconds 5] [--rounds 3] [--backend sqlite]
import fastify from 'fastify';
import { benchArgs, fmt, median, printTable, runBench, saveResult, verdict } from './lib/common.mjs';
import { startClient } from './lib/client.mjs';
import { call, must } from './lib/https.mjs';
import { startServer, widgets } from './lib/server.mjs';

const args = benchArgs({
  only: { default: '', help: 'run only the targets whose name contains this text (for profiling; no ratio)' },
  concurrency: { default: 16, help: 'concurrent request loops' },
  seconds: { default: 5, quick: 2, help: 'measured seconds per round' },
  warmup: { default: 1, quick: 0.5, help: 'unmeasured seconds before each round' },
  rounds: { default: 3, quick: 2, help: 'rounds per target, alternating' },
  backend: { default: 'sqlite', help: 'storage backend of the server (reads come from the watch cache)' },
});

runBench(async () => {
  const s = await startServer([`--storage-backend=${args.backend}`]);
  const client = startClient();
  let baseline;
  try {
    const path = `${widgets.collectionPath('bench')}/bench-get`;
    await must(201, s, 'POST', widgets.collectionPath('bench'), widgets.object('bench-get'));
    await must(200, s, 'PATCH', `${path}/status`, {
      status: { replicas: 3, selector: 'app=bench', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', message: 'all replicas ready' }] },
    }, { 'content-type': 'application/merge-patch+json' });
    const body = (await must(200, s, 'GET', path)).body;
    const fixed = JSON.parse(body);
    // The path under test authenticates: without the admin's client certificate it is 401.
    const anonymous = await call({ ...s, admin: {} }, 'GET', path);
    if (anonymous.status !== 401) throw new Error(`GET without a client certificate answered ${anonymous.status}, expected 401`);

    // The baseline: bare fastify, same certificate and TLS options as the server, no logger.
    baseline = fastify({
      logger: false,
      https: { cert: s.serving.cert, key: s.serving.key, ca: [s.ca], requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    });
    baseline.get('/fixed', async () => fixed);
    await baseline.listen({ host: '127.0.0.1', port: 0 });
    const baselineUrl = `https://127.0.0.1:${baseline.server.address().port}`;
    const check = await must(200, { ...s, url: baselineUrl }, 'GET', '/fixed');
    if (check.body.length !== body.length) throw new Error(`baseline body is ${check.body.length} bytes, server's ${body.length}`);

    const targets = [
      { name: 'bare fastify HTTPS route (baseline)', url: baselineUrl, path: '/fixed', runs: [] },
      { name: `aa-gen server GET (${args.backend}, watch cache)`, url: s.url, path, runs: [] },
    ];
    console.log(`GET one object: ${body.length}-byte JSON body, concurrency ${args.concurrency}, ${args.rounds} x ${args.seconds}s rounds per target`);
    const chosen = targets.filter((t) => t.name.includes(args.only));
    for (let round = 0; round < args.rounds; round++) {
      for (const t of chosen) {
        const r = await client.measure({
          kind: 'http-load',
          url: t.url,
          path: t.path,
          ca: s.ca,
          cert: s.admin.cert,
          key: s.admin.key,
          concurrency: args.concurrency,
          warmupMs: args.warmup * 1000,
          durationMs: args.seconds * 1000,
        });
        if (r.errors > 0) throw new Error(`${t.name}: ${r.errors} failed requests; first: ${r.firstError}`);
        t.runs.push(r);
        console.log(`  round ${round + 1} ${t.name}: ${fmt(r.perSecond, 0)} req/s, server thread busy ${fmt(r.mainElu * 100, 0)}%, load thread busy ${fmt(r.loadElu * 100, 0)}%`);
      }
    }
    if (args.only) {
      // A partial run (profiling): no baseline, so no ratio.
      for (const t of chosen) console.log(`${t.name}: ${fmt(median(t.runs.map((r) => r.perSecond)), 0)}/s (median)`);
      return true;
    }
    const rows = targets.map((t) => {
      const rps = median(t.runs.map((r) => r.perSecond));
      t.rps = rps;
      return [t.name, fmt(rps, 0), t.runs.map((r) => fmt(r.perSecond, 0)).join(' / '), fmt(median(t.runs.map((r) => r.p50)), 2), fmt(median(t.runs.map((r) => r.p99)), 2), fmt(median(t.runs.map((r) => r.mainElu)) * 100, 0) + '%', fmt(median(t.runs.map((r) => r.loadElu)) * 100, 0) + '%'];
    });
    const ratio = targets[1].rps / targets[0].rps;
    printTable(`GET one object (${body.length} B), concurrency ${args.concurrency}`, ['target', 'req/s (median)', 'rounds', 'p50 ms', 'p99 ms', 'server thread busy', 'load thread busy'], rows);
    const ok = verdict('aa-gen GET / bare fastify', fmt(ratio, 2), '>= 0.60', ratio >= 0.6);
    saveResult('get', { args, bodyBytes: body.length, targets: targets.map(({ name, runs, rps }) => ({ name, rps, runs })), ratio, ok });
    return ok;
  } finally {
    await client.close();
    await baseline?.close();
    await s.stop();
  }
});
