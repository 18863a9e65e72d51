// The round-trip checks generated into examples/wardle and examples/demo, run against their
// generated code and hand-written conversions, built as a user builds them (tsc -p
// examples/<name> into examples/<name>/dist). Needs the package built first (npm run build), as
// the examples import aa-gen/runtime from dist. A stub that still throws fails with a message
// naming the conversion file to write.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { roundTripName, roundTripPath } from '../../src/emit/roundtrip.js';
import { loadSpec } from '../../src/spec/index.js';
import type { KindIR } from '../../src/model/ir.js';
import { repoRoot } from '../emit/project.js';

type RoundTrip = (options?: { runs?: number; seed?: number }) => Promise<void>;

/** Kinds of an example's spec with more than one version (those get a round-trip check). */
async function multiVersionKinds(example: string): Promise<KindIR[]> {
  const spec = await loadSpec(join(repoRoot, 'examples', example, 'aa-gen.yaml'));
  if (!spec.ok) throw new Error(`examples/${example}/aa-gen.yaml is invalid: ${spec.problems.map((p) => p.message).join('; ')}`);
  return spec.ir.kinds.filter((k) => k.versions.length > 1);
}

for (const [example, expectedKinds] of [
  ['wardle', ['Flunder']],
  ['demo', ['Widget']],
] as const) {
  describe(`examples/${example}`, async () => {
    const dir = join(repoRoot, 'examples', example);
    const kinds = await multiVersionKinds(example);
    let buildError: string | undefined;

    beforeAll(() => {
      const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
      if (r.status !== 0) buildError = `tsc -p examples/${example} failed:\n${r.stdout}${r.stderr}`;
    }, 180_000);

    test('has the kinds with several versions this test expects', () => {
      expect(kinds.map((k) => k.kind)).toEqual(expectedKinds);
    });

    for (const kind of kinds) {
      test(`${kind.kind}: hub -> version -> hub and version -> hub -> version round-trip (${roundTripPath(kind)})`, async () => {
        const source = join(dir, roundTripPath(kind));
        if (!existsSync(source)) {
          throw new Error(`examples/${example} has no ${roundTripPath(kind)}: run \`node bin/aa-gen.js generate\` in examples/${example} (with roundtripEmitter registered in src/emit/index.ts)`);
        }
        if (buildError !== undefined) throw new Error(buildError);
        const built = join(dir, 'dist', roundTripPath(kind).replace(/^src\//, '').replace(/\.ts$/, '.js'));
        const module = (await import(pathToFileURL(built).href)) as Record<string, RoundTrip>;
        const check = module[roundTripName(kind)]!;
        await check({ runs: 200 }).catch((e: unknown) => {
          throw new Error(`examples/${example}: ${e instanceof Error ? e.message : String(e)}`);
        });
      }, 120_000);
    }
  });
}
