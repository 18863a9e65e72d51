// Bench 2 (issue 3): creates per second through the server on --storage-backend etcd3, against
// raw etcd3 puts (the etcd3 package) of values of the same size, at the same concurrency,
// against the same etcd. A third row, raw create-if-absent transactions (what the etcd3 backend
// sends for a create), is shown for context, and so are raw puts through aa-gen's own etcd client.
// Rounds alternate between the baseline and the server; the reference rows run after them.
// Target: server creates / raw puts >= 0.6.
//   node bench/create-etcd.mjs [--quick] [--concurrency 16] [--seconds 4] [--rounds 3]
import { Etcd3 } from 'etcd3';
import { benchArgs, fmt, median, printTable, runBench, saveResult, verdict } from './lib/common.mjs';
import { startClient } from './lib/client.mjs';
import { startEtcd } from './lib/etcd.mjs';
import { must } from './lib/https.mjs';
import { startServer, widgets } from './lib/server.mjs';

const args = benchArgs({
  only: { default: '', help: 'run only the targets whose name contains this text (for profiling; no ratio)' },
  concurrency: { default: 16, help: 'concurrent create loops' },
  seconds: { default: 4, quick: 2, help: 'measured seconds per round' },
  warmup: { default: 1, quick: 0.5, help: 'unmeasured seconds before each round' },
  rounds: { default: 3, quick: 2, help: 'rounds per target, alternating' },
  txn: { default: 'yes', quick: 'no', help: 'also measure raw create-if-absent transactions and puts through aa-gen\'s own etcd client, for reference (yes/no)' },
});

runBench(async () => {
  const etcd = await startEtcd();
  let s;
  let client;
  try {
    s = await startServer([`--etcd-servers=${etcd.endpoint}`, '--etcd-prefix=/registry']);
    client = startClient();
    const ns = 'bench';
    const collection = widgets.collectionPath(ns);

    // One create to learn how many bytes the server stores per object: the raw writes use that size.
    await must(201, s, 'POST', collection, widgets.object('size-probe', ns));
    const etcdClient = new Etcd3({ hosts: etcd.endpoint });
    const stored = await etcdClient.get(`/registry/${widgets.group}/${widgets.plural}/${ns}/size-probe`).buffer();
    etcdClient.close();
    if (!stored) throw new Error('the created object is not in etcd where expected');
    const valueSize = stored.length;

    const template = JSON.stringify(widgets.object('{{name}}', ns));
    const base = { concurrency: args.concurrency, warmupMs: args.warmup * 1000, durationMs: args.seconds * 1000 };
    const targets = [
      { name: 'raw etcd3 put (baseline)', task: (round) => ({ ...base, kind: 'etcd-load', mode: 'put', endpoint: etcd.endpoint, keyPrefix: `/raw/put-${round}/k`, valueSize }), runs: [] },
      ...(args.txn === 'yes'
        ? [
            { name: 'raw etcd3 create-if-absent txn', reference: true, task: (round) => ({ ...base, kind: 'etcd-load', mode: 'txn', endpoint: etcd.endpoint, keyPrefix: `/raw/txn-${round}/k`, valueSize }), runs: [] },
            // For reference, not the baseline: the same puts through the server's own etcd client.
            { name: 'raw put, aa-gen etcd client', reference: true, task: (round) => ({ ...base, kind: 'etcd-load', mode: 'put-own', endpoint: etcd.endpoint, keyPrefix: `/raw/own-${round}/k`, valueSize }), runs: [] },
          ]
        : []),
      {
        name: 'aa-gen server POST (etcd3)',
        task: (round) => ({ ...base, kind: 'http-load', url: s.url, path: collection, method: 'POST', body: template, namePrefix: `w${round}-`, expectStatus: 201, headers: { 'content-type': 'application/json' }, ca: s.ca, cert: s.admin.cert, key: s.admin.key }),
        runs: [],
      },
    ];
    console.log(`Create on etcd3: ${valueSize}-byte stored values, concurrency ${args.concurrency}, ${args.rounds} x ${args.seconds}s rounds per target`);
    const chosen = targets.filter((t) => t.name.includes(args.only));
    // The baseline and the server alternate; the reference rows run after them, because the
    // tens of thousands of keys they write would slow etcd down for whatever comes next.
    for (const group of [chosen.filter((t) => !t.reference), chosen.filter((t) => t.reference)]) {
      for (let round = 0; round < args.rounds; round++) {
        for (const t of group) {
          const r = await client.measure(t.task(round));
          if (r.errors > 0) throw new Error(`${t.name}: ${r.errors} failed requests; first: ${r.firstError}`);
          t.runs.push(r);
          console.log(`  round ${round + 1} ${t.name}: ${fmt(r.perSecond, 0)} /s, server thread busy ${fmt(r.mainElu * 100, 0)}%, load thread busy ${fmt(r.loadElu * 100, 0)}%`);
        }
      }
    }
    if (args.only) {
      // A partial run (profiling): no baseline, so no ratio.
      for (const t of chosen) console.log(`${t.name}: ${fmt(median(t.runs.map((r) => r.perSecond)), 0)}/s (median)`);
      return true;
    }
    for (const t of targets) t.rate = median(t.runs.map((r) => r.perSecond));
    const put = targets[0].rate;
    const server = targets.at(-1).rate;
    const ratio = server / put;
    printTable(
      `Create on etcd3 (${valueSize} B values), concurrency ${args.concurrency}`,
      ['target', 'writes/s (median)', 'rounds', 'p50 ms', 'p99 ms', 'vs put', 'server thread busy', 'load thread busy'],
      targets.map((t) => [
        t.name,
        fmt(t.rate, 0),
        t.runs.map((r) => fmt(r.perSecond, 0)).join(' / '),
        fmt(median(t.runs.map((r) => r.p50)), 2),
        fmt(median(t.runs.map((r) => r.p99)), 2),
        fmt(t.rate / put, 2),
        fmt(median(t.runs.map((r) => r.mainElu)) * 100, 0) + '%',
        fmt(median(t.runs.map((r) => r.loadElu)) * 100, 0) + '%',
      ]),
    );
    const ok = verdict('aa-gen creates / raw etcd3 puts', fmt(ratio, 2), '>= 0.60', ratio >= 0.6);
    saveResult('create-etcd', { args, valueSize, targets: targets.map(({ name, runs, rate }) => ({ name, rate, runs })), ratio, ok });
    return ok;
  } finally {
    await client?.close();
    await s?.stop();
    await etcd.stop();
  }
});
