// Test support: the widgets fixture emitted into a temp project (test/emit/project.ts) with its
// round-trip checks, and Widget's hand-written conversion (colour in v1beta1 is color in v1).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { paths } from '../../src/emit/paths.js';
import { roundtripEmitter } from '../../src/emit/roundtrip.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';
import { emitTypeScript, repoRoot, writeProject } from '../emit/project.js';
import type { TempProject } from '../emit/project.js';

export const widget = widgetsIR.kinds.find((k) => k.kind === 'Widget')!;
export const gadget = widgetsIR.kinds.find((k) => k.kind === 'Gadget')!;

/** Widget's colour/color conversion, written the way a user would. */
export const handWrittenWidget = `
import type * as v1 from '../generated/apis/demo.example.com/v1/types.js';
import type * as v1beta1 from '../generated/apis/demo.example.com/v1beta1/types.js';

const colors: readonly string[] = ['red', 'green', 'blue'];

export function convertWidgetSpecV1beta1ToV1(src: v1beta1.WidgetSpec, dst: v1.WidgetSpec): void {
  if (src.colour !== undefined && colors.includes(src.colour)) dst.color = src.colour as NonNullable<v1.WidgetSpec['color']>;
}

export function convertWidgetSpecV1ToV1beta1(src: v1.WidgetSpec, dst: v1beta1.WidgetSpec): void {
  if (src.color !== undefined) dst.colour = src.color;
}
`;

/** The widgets project with round-trip checks; `userWidget` replaces the scaffolded stubs. */
export function widgetsProject(name: string, userWidget?: string): TempProject {
  const files = [...emitTypeScript(widgetsIR), ...roundtripEmitter.emit(widgetsIR)];
  return writeProject(name, files, userWidget === undefined ? {} : { [paths.userConversion(widget)]: userWidget });
}

/** `tsc --noEmit` over a temp project: undefined when it typechecks, else the diagnostics. */
export function typecheck(dir: string): string | undefined {
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir, '--noEmit'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${r.stdout}${r.stderr}`;
}
