// Bench 3 (issue 3): 1000 concurrent watches. Opens N watch streams on one collection (each on
// its own keep-alive HTTP/1.1 TLS connection, as N separate clients would), then makes a few
// updates of one object, one at a time, and measures for each update and each watcher the time
// from just before the PATCH is sent to the arrival of the MODIFIED event (so it includes the
// write itself). A few unmeasured updates go first, so that the figures are of a warm server.
// Target: p99 < 50 ms.
//   node bench/watch.mjs [--quick] [--watchers 1000] [--updates 10] [--warmups 3] [--backend sqlite]
import { benchArgs, fmt, median, percentile, printTable, runBench, saveResult, verdict } from './lib/common.mjs';
import { startClient } from './lib/client.mjs';
import { must } from './lib/https.mjs';
import { startServer, widgets } from './lib/server.mjs';

const args = benchArgs({
  watchers: { default: 1000, help: 'concurrent watch streams' },
  updates: { default: 10, quick: 5, help: 'measured updates, one at a time' },
  warmups: { default: 3, quick: 2, help: 'unmeasured updates first (JIT warm-up)' },
  backend: { default: 'sqlite', help: 'storage backend of the server' },
  etcd: { default: '', help: 'etcd client URL when --backend etcd3' },
});

runBench(async () => {
  let etcd;
  const flags = [`--storage-backend=${args.backend}`];
  if (args.backend === 'etcd3') {
    if (!args.etcd) {
      const { startEtcd } = await import('./lib/etcd.mjs');
      etcd = await startEtcd();
    }
    flags.push(`--etcd-servers=${args.etcd || etcd.endpoint}`);
  }
  const s = await startServer(flags);
  const client = startClient();
  try {
    const ns = 'bench';
    const created = (await must(201, s, 'POST', widgets.collectionPath(ns), widgets.object('watched', ns))).json();
    const rv = created.metadata.resourceVersion;
    const r = await client.measure({
      kind: 'watch',
      url: s.url,
      ca: s.ca,
      cert: s.admin.cert,
      key: s.admin.key,
      watchers: args.watchers,
      updates: args.updates,
      warmups: args.warmups,
      watchPath: `${widgets.collectionPath(ns)}?watch=true&resourceVersion=${rv}&timeoutSeconds=600`,
      objectPath: `${widgets.collectionPath(ns)}/watched`,
    });
    const all = r.rounds.flatMap((x) => x.all).sort((a, b) => a - b);
    const rows = r.rounds.map((x) => [`update ${x.update}`, fmt(x.writeMs, 1), fmt(x.serverBusyMs, 1), fmt(x.min, 1), fmt(x.p50, 1), fmt(x.p99, 1), fmt(x.max, 1)]);
    const med = (f) => fmt(median(r.rounds.map(f)), 1);
    rows.push(['all (median of updates; pooled percentiles)', med((x) => x.writeMs), med((x) => x.serverBusyMs), fmt(all[0], 1), fmt(percentile(all, 50), 1), fmt(percentile(all, 99), 1), fmt(all.at(-1), 1)]);
    console.log(`${args.watchers} watches on ${args.backend}: connected in ${fmt(r.connectSeconds, 2)}s`);
    printTable(
      `${args.watchers} concurrent watches (${args.backend}): PATCH sent -> MODIFIED event received, ms`,
      ['', 'PATCH response', 'server thread busy', 'min', 'p50', 'p99', 'max'],
      rows,
    );
    console.log('(server thread busy: CPU time of the server\'s thread from the PATCH until every watcher had the event)');
    const p99 = percentile(all, 99);
    const ok = verdict(`p99 delivery latency over ${args.updates} updates x ${args.watchers} watchers`, `${fmt(p99, 1)} ms`, '< 50 ms', p99 < 50);
    saveResult('watch', { args, connectSeconds: r.connectSeconds, rounds: r.rounds.map(({ all: _all, ...x }) => x), p50: percentile(all, 50), p99, max: all.at(-1), ok });
    return ok;
  } finally {
    await client.close();
    await s.stop();
    await etcd?.stop();
  }
});
