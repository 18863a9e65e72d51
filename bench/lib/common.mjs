// Shared helpers of the benchmarks: flags, statistics, tables, result files.
// Benchmarks report ratios against a baseline measured in the same run (issue 3): absolute
// numbers on a shared 2-core machine move with the neighbours, ratios much less.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const repoRoot = dirname(benchDir);

/**
 * Parses the common flags plus `extra` ({name: {type, default}}). `--quick` switches every
 * default to its quick value (`quick` in the spec) so each bench takes a few seconds.
 */
export function benchArgs(extra = {}) {
  const options = { quick: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } };
  for (const [name, spec] of Object.entries(extra)) options[name] = { type: spec.type ?? 'string' };
  const { values } = parseArgs({ args: process.argv.slice(2), options, strict: true, allowPositionals: false });
  if (values.help) {
    const lines = ['flags:', '  --quick            shorter runs (defaults in brackets)'];
    for (const [name, spec] of Object.entries(extra)) {
      lines.push(`  --${name.padEnd(16)} ${spec.help ?? ''} (default ${spec.default}${spec.quick !== undefined ? ` [${spec.quick}]` : ''})`);
    }
    console.log(lines.join('\n'));
    process.exit(0);
  }
  const out = { quick: values.quick };
  for (const [name, spec] of Object.entries(extra)) {
    const raw = values[name];
    const dflt = values.quick && spec.quick !== undefined ? spec.quick : spec.default;
    const v = raw === undefined ? dflt : raw;
    out[name] = typeof spec.default === 'number' ? Number(v) : v;
  }
  return out;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmt(n, digits = 1) {
  if (typeof n !== 'number') return String(n);
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints rows (arrays of cells) as an aligned table with a header row. */
export function printTable(title, header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  console.log(`\n${title}`);
  console.log(line(cells[0]));
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Prints the verdict line every bench ends with, and returns whether the target is met. */
export function verdict(what, value, target, ok) {
  console.log(`\n${ok ? 'PASS' : 'MISS'}: ${what} = ${value} (target ${target})`);
  return ok;
}

/** Writes a result file into bench/results/ (ignored by git). */
export function saveResult(name, data) {
  const dir = join(benchDir, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg() };
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), node: process.version, machine, ...data }, null, 2) + '\n');
  // Other work on the machine moves absolute numbers (and, less, ratios): say how busy it was.
  console.log(`(machine: ${machine.cpus} CPUs, load average ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')})`);
  console.log(`(results: ${file})`);
  return file;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Exits non-zero with a readable message instead of a stack trace for expected failures. */
export function runBench(main) {
  main().then(
    (ok) => {
      // A missed target is reported, not a failure: benches measure, tests assert.
      process.exitCode = ok === 'error' ? 1 : 0;
    },
    (e) => {
      console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
      if (process.env.BENCH_DEBUG) console.error(e);
      process.exitCode = 1;
    },
  );
}
