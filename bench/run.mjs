// Runs every benchmark, one child process each (a clean heap and event loop per bench), and
// ends with one line per bench: its verdict against the target of issue 2 / issue 3.
//   node bench/run.mjs [--quick] [get create-etcd watch generate]
// Needs `npm run build && npx tsc -p examples/demo` first, and `etcd` on PATH for create-etcd.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchDir, fmt, printTable } from './lib/common.mjs';

const all = ['get', 'create-etcd', 'watch', 'generate'];
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const picked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = picked.filter((b) => !all.includes(b));
if (unknown.length) {
  console.error(`unknown bench: ${unknown.join(', ')} (choose from ${all.join(', ')})`);
  process.exit(2);
}

const summary = [];
for (const name of picked.length ? picked : all) {
  console.log(`\n=== bench/${name}.mjs ${flags.join(' ')}`);
  const t0 = performance.now();
  const { code, verdictLine } = await runOne(name);
  summary.push([name, code === 0 ? verdictLine ?? 'done' : `FAILED (exit ${code})`, fmt((performance.now() - t0) / 1000, 0)]);
}
printTable('summary', ['bench', 'verdict', 'seconds'], summary);
process.exitCode = summary.some((r) => r[1].startsWith('FAILED')) ? 1 : 0;

function runOne(name) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(benchDir, `${name}.mjs`), ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
    let verdictLine;
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      const m = /^(PASS|MISS): .*$/m.exec(String(d));
      if (m) verdictLine = m[0];
    });
    child.on('close', (code) => resolve({ code, verdictLine }));
  });
}
