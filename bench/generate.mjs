// Bench 4 (issue 2): `aa-gen generate` on a spec of 200 kinds, against the same run's generate
// of examples/wardle (the baseline), with the cost per kind and the peak memory. Each spec is
// generated in a fresh child process (cold, as a user runs it), then again in the same process
// (warm) when --repeat > 1; each run writes into an empty temp project. The phases are the ones
// src/cli/commands/generate.ts runs: loadSpec -> emitAll -> planWrite -> applyPlan.
//   node bench/generate.mjs [--quick] [--kinds 200] [--repeat 1] [--steps no]
//   node bench/generate.mjs --by-file [KINDS]   where the render (prettier) time goes, per file family
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchArgs, fmt, median, printTable, repoRoot, runBench, saveResult, verdict } from './lib/common.mjs';
import { largeSpec } from './lib/large-spec.mjs';

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]));
} else if (process.argv[2] === '--by-file') {
  await byFile(Number(process.argv[3] ?? 25));
} else {
  const args = benchArgs({
    kinds: { default: 200, quick: 50, help: 'kinds in the large spec' },
    repeat: { default: 1, help: 'runs per spec in one process (the first is cold, the others warm)' },
    steps: { default: 'no', help: 'also time specs of kinds/4 and kinds/2 kinds, to show how cost grows (yes/no)' },
  });
  runBench(() => parent(args));
}

async function parent(args) {
  const work = mkdtempSync(join(tmpdir(), 'aa-gen-bench-generate-'));
  try {
    const wardle = join(work, 'wardle.yaml');
    copyFileSync(join(repoRoot, 'examples/wardle/aa-gen.yaml'), wardle);
    const sizes = args.steps === 'yes' ? [...new Set([Math.max(1, Math.round(args.kinds / 4)), Math.max(1, Math.round(args.kinds / 2)), args.kinds])] : [args.kinds];
    const specs = [{ name: 'examples/wardle (baseline)', file: wardle }];
    for (const n of sizes) {
      const file = join(work, `large-${n}.yaml`);
      writeFileSync(file, largeSpec(n));
      specs.push({ name: `largeSpec(${n})`, file, kinds: n });
    }
    for (const s of specs) {
      console.log(`generating ${s.name} ...`);
      const out = execFileSync(process.execPath, [import.meta.filename, '--child', s.file, String(args.repeat)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      Object.assign(s, JSON.parse(out.trim().split('\n').at(-1)));
      s.kinds ??= s.specKinds;
    }
    const base = specs[0];
    const rows = specs.map((s) => {
      const warm = s.runs.length > 1 ? median(s.runs.slice(1).map((r) => r.total)) : NaN;
      const cold = s.runs[0].total;
      s.cold = cold;
      s.warm = warm;
      return [
        s.name,
        s.kinds,
        s.runs[0].files,
        fmt(s.runs[0].bytes / 1024, 0),
        fmt(cold, 0),
        Number.isNaN(warm) ? '-' : fmt(warm, 0),
        fmt(cold / base.runs[0].total, 1) + 'x',
        fmt(cold / s.kinds, 1),
        fmt(s.maxRssMiB, 0),
      ];
    });
    printTable('aa-gen generate (in-process: loadSpec -> emitAll -> planWrite -> applyPlan)', ['spec', 'kinds', 'files', 'KiB', 'cold ms', 'warm ms', 'vs wardle', 'cold ms/kind', 'peak RSS MiB'], rows);
    const phaseNames = Object.keys(base.runs[0].phases);
    printTable(
      'time by phase, cold run (ms)',
      ['spec', ...phaseNames],
      specs.map((s) => [s.name, ...phaseNames.map((p) => fmt(s.runs[0].phases[p], 0))]),
    );
    const big = specs.at(-1);
    const marginal = (big.cold - base.cold) / (big.kinds - base.kinds);
    console.log(`\nmarginal cost per kind (largeSpec(${big.kinds}) - wardle) / ${big.kinds - base.kinds} kinds: ${fmt(marginal, 1)} ms cold`);
    if (!Number.isNaN(big.warm)) console.log(`                                                         ${fmt((big.warm - base.warm) / (big.kinds - base.kinds), 1)} ms warm`);
    const ok = verdict(`a spec of ${big.kinds} kinds generates`, `${fmt(big.cold / 1000, 1)} s cold, ${fmt(big.maxRssMiB, 0)} MiB peak RSS`, 'completes (issue 2 sets no time)', true);
    saveResult('generate', { args, specs: specs.map(({ file: _f, ...s }) => s), marginalMsPerKind: marginal });
    return ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs generate on `specFile` `repeat` times, each into a fresh directory; prints JSON. */
async function child(specFile, repeat) {
  const dist = (p) => import(pathToFileURL(join(repoRoot, 'dist', p)).href);
  const [{ loadSpec }, { emitAll }, { planWrite, applyPlan }] = await Promise.all([dist('spec/index.js'), dist('emit/index.js'), dist('write/index.js')]);
  const runs = [];
  let specKinds;
  for (let i = 0; i < repeat; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'aa-gen-bench-gen-run-'));
    try {
      const file = join(dir, 'aa-gen.yaml');
      writeFileSync(file, readFileSync(specFile));
      mkdirSync(join(dir, 'src'), { recursive: true });
      const phases = {};
      let t = performance.now();
      const lap = (name) => {
        const now = performance.now();
        phases[name] = now - t;
        t = now;
      };
      const spec = await loadSpec(file);
      if (!spec.ok) throw new Error(`spec problems: ${JSON.stringify(spec.problems.slice(0, 3))}`);
      lap('loadSpec');
      const files = emitAll(spec.ir);
      lap('emitAll');
      const plan = await planWrite(dir, files);
      lap('planWrite');
      await applyPlan(plan);
      lap('applyPlan');
      specKinds = spec.ir.kinds.length;
      const total = Object.values(phases).reduce((a, b) => a + b, 0);
      runs.push({ total, phases, files: files.length, bytes: files.reduce((n, f) => n + Buffer.byteLength(f.content), 0) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ runs, specKinds, maxRssMiB }) + '\n');
}

/** Renders (header + prettier) every file of largeSpec(kinds) one at a time; prints a table per file family. */
async function byFile(kinds) {
  const dist = (p) => import(pathToFileURL(join(repoRoot, 'dist', p)).href);
  const [{ loadSpecText }, { emitAll }, { renderFile }] = await Promise.all([dist('spec/index.js'), dist('emit/index.js'), dist('write/index.js')]);
  const spec = loadSpecText(largeSpec(kinds), 'aa-gen.yaml');
  if (!spec.ok) throw new Error('largeSpec is invalid');
  const families = new Map();
  let total = 0;
  for (const f of emitAll(spec.ir)) {
    const t0 = performance.now();
    await renderFile(f);
    const ms = performance.now() - t0;
    total += ms;
    const family = f.path.replace(/thing\d+/gi, '<kind>');
    const a = families.get(family) ?? { files: 0, bytes: 0, ms: 0 };
    a.files++;
    a.bytes += Buffer.byteLength(f.content);
    a.ms += ms;
    families.set(family, a);
  }
  const rows = [...families].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
  printTable(`render (header + prettier) of largeSpec(${kinds}), by file: ${fmt(total, 0)} ms in all`, ['file', 'files', 'KiB', 'ms', 'share'], rows.map(([k, a]) => [k, a.files, fmt(a.bytes / 1024, 0), fmt(a.ms, 0), fmt((100 * a.ms) / total, 1) + '%']));
}
