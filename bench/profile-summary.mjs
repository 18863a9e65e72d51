// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): where the samples fall, by function
// (self time) and by module (self time, grouped as aa-gen runtime file / package / node
// internals), so a missed target can be traced to its hot spots.
//   node bench/profile-summary.mjs <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmt, printTable, repoRoot } from './lib/common.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, from: { type: 'string', default: '0' }, to: { type: 'string', default: 'Infinity' } },
});
if (positionals.length !== 1) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N] [--from SECONDS] [--to SECONDS]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const top = Number(values.top);

// Self samples per node id, inside the [from, to] window (seconds since the profile started),
// leaving out (idle): percentages are of the time the thread was working.
const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
const self = new Map();
const from = Number(values.from) * 1e6;
const to = Number(values.to) * 1e6;
let t = 0;
let total = 0;
let idleSamples = 0;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i];
  if (t < from || t > to) return;
  if (idle.has(id)) {
    idleSamples++;
    return;
  }
  self.set(id, (self.get(id) ?? 0) + 1);
  total++;
});

function where(url) {
  if (!url) return '(native/vm)';
  let path = url;
  try {
    if (url.startsWith('file:')) path = fileURLToPath(url);
  } catch {}
  if (path.startsWith('node:')) return path;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 14).split('/');
    return 'pkg ' + (rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]);
  }
  return relative(repoRoot, path);
}

const byFunction = new Map();
const byModule = new Map();
for (const node of profile.nodes) {
  const n = self.get(node.id) ?? 0;
  if (n === 0) continue;
  const cf = node.callFrame;
  const mod = where(cf.url);
  const fn = `${cf.functionName || '(anonymous)'}  ${mod}${cf.url ? ':' + (cf.lineNumber + 1) : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + n);
  byModule.set(mod, (byModule.get(mod) ?? 0) + n);
}
const parent = new Map();
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Categories of work: every busy sample goes to the category of its own module, or, for a
// native leaf (socket writes, crypto, JSON), of the nearest JavaScript frame above it.
const categories = [
  ['etcd client (storage/etcd, etcd3, grpc-js, protobufjs, node http2)', (m) => /^pkg (etcd3|@grpc\/|protobufjs|@protobufjs\/|long|cockatiel)/.test(m) || /^dist\/runtime\/storage\/(etcd\/|etcd3)/.test(m) || m.startsWith('node:internal/http2')],
  ['aa-gen runtime', (m) => m.startsWith('dist/runtime/')],
  ['generated code (examples/demo)', (m) => m.startsWith('examples/')],
  ['HTTP server (fastify, node http, tls)', (m) => /^pkg (fastify|find-my-way|avvio|pino|light-my-request|@fastify\/|fast-json-stringify|secure-json-parse|toad-cache)/.test(m) || /^node:(_http_|_tls_|tls|https|http$|internal\/tls|net$)/.test(m)],
  ['garbage collector', (m) => m === '(garbage collector)'],
];
// Plumbing shared by everyone (events, streams, microtasks, buffers, native leaves): a sample
// there is charged to the nearest caller that is not plumbing.
const plumbing = (m) =>
  m === '(native/vm)' || /^node:(events|buffer|async_hooks|internal\/(streams\/|stream_base_commons|process\/|timers|util|abort_controller|errors|validators|webstreams))/.test(m);
const byCategory = new Map();
for (const [id, n] of self) {
  const node = byId.get(id);
  let mod = where(node.callFrame.url);
  if (node.callFrame.functionName === '(garbage collector)') mod = '(garbage collector)';
  else if (plumbing(mod)) {
    for (let up = parent.get(node.id); up; up = parent.get(up.id)) {
      const m = where(up.callFrame.url);
      if (!plumbing(m)) {
        mod = m;
        break;
      }
    }
  }
  const cat = categories.find(([, test]) => test(mod))?.[0] ?? `other (${mod})`;
  byCategory.set(cat, (byCategory.get(cat) ?? 0) + n);
}
const pct = (n) => fmt((100 * n) / total, 1) + '%';
const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
// Inclusive time of aa-gen's own functions (runtime and generated code): a sample counts once
// for every distinct such function on its stack.
const inclusive = new Map();
for (const [id, n] of self) {
  const seen = new Set();
  for (let node = byId.get(id); node; node = parent.get(node.id)) {
    const cf = node.callFrame;
    const mod = where(cf.url);
    if (!mod.startsWith('dist/') && !mod.startsWith('examples/')) continue;
    const fn = `${cf.functionName || '(anonymous)'}  ${mod}:${cf.lineNumber + 1}`;
    if (seen.has(fn)) continue;
    seen.add(fn);
    inclusive.set(fn, (inclusive.get(fn) ?? 0) + n);
  }
}
console.log(`${positionals[0]}: ${total} busy samples (${idleSamples} idle left out)`);
printTable('busy time by category', ['category', 'share'], sorted(byCategory).map(([k, v]) => [k, pct(v)]));
printTable('self time by module', ['module', 'self'], sorted(byModule).map(([k, v]) => [k, pct(v)]));
printTable('self time by function', ['function', 'self'], sorted(byFunction).map(([k, v]) => [k, pct(v)]));
printTable('inclusive time of aa-gen functions', ['function', 'total'], sorted(inclusive).map(([k, v]) => [k, pct(v)]));
