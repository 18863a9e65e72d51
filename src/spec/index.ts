// The spec loader: aa-gen.yaml -> every problem at once, or the IR.
//   parse YAML (positions kept) -> JSON Schema (schemas/aa-gen.schema.json, ajv) -> cross-checks
//   -> buildProjectIR (all defaults, src/model/build.ts).
// Never throws on bad input: problems are values with codes and file:line:column.
import { readFile } from 'node:fs/promises';
import { buildProjectIR } from '../model/build.js';
import type { ProjectIR } from '../model/ir.js';
import type { SpecDocument } from '../model/spec-input.js';
import { crossCheck } from './checks.js';
import { isRecord } from './guards.js';
import { validateAgainstSchema, type Finding } from './json-schema.js';
import { sortProblems, type SpecProblem } from './problem.js';
import { parseSource } from './source.js';

export { formatProblem, PROBLEM_CODES } from './problem.js';
export type { ProblemCode, SpecProblem } from './problem.js';

export type SpecResult = { ok: true; ir: ProjectIR } | { ok: false; problems: SpecProblem[] };

/** Reads and loads a spec file; `file` is also the label used in problems (pass it as the user gave it). */
export async function loadSpec(file: string): Promise<SpecResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : (err.code ?? err.message);
    return {
      ok: false,
      problems: [
        {
          code: 'read-error',
          file,
          line: 0,
          column: 0,
          pointer: '',
          message: `cannot read the spec: ${why}`,
          hint: err.code === 'ENOENT' ? 'run aa-gen init, or pass --config <path to aa-gen.yaml>' : '',
        },
      ],
    };
  }
  return loadSpecText(text, file);
}

/** Loads a spec from text; `fileLabel` names the file in problems. */
export function loadSpecText(text: string, fileLabel: string): SpecResult {
  const source = parseSource(text);
  const problem = (f: Finding): SpecProblem => {
    const { line, column } = source.locate(f.pointer, f.at);
    return { code: f.code, file: fileLabel, line, column, pointer: f.pointer, message: f.message, hint: f.hint };
  };

  if (source.issues.length > 0) {
    return {
      ok: false,
      problems: sortProblems(
        source.issues.map((i) => ({
          code: i.code,
          file: fileLabel,
          line: i.position.line,
          column: i.position.column,
          pointer: '',
          message: i.message,
          hint:
            i.code === 'alias-bomb'
              ? 'use anchors and aliases to share parts of the spec, not to multiply them'
              : i.code === 'duplicate-key'
                ? 'remove or rename one of the two keys'
                : 'fix the YAML syntax (indentation, quotes, brackets)',
        })),
      ),
    };
  }
  if (!isRecord(source.data)) {
    const empty = source.data === null || source.data === undefined;
    return {
      ok: false,
      problems: [
        problem({
          code: 'not-a-mapping',
          pointer: '',
          message: empty ? 'the spec is empty' : 'the spec must be a YAML mapping (group:, versions:, kinds:)',
          hint: 'start from examples/wardle/aa-gen.yaml, or run aa-gen init',
        }),
      ],
    };
  }

  const findings = [...validateAgainstSchema(source.data), ...crossCheck(source.data)];
  if (findings.length > 0) return { ok: false, problems: sortProblems(findings.map(problem)) };
  return { ok: true, ir: buildProjectIR(source.data as unknown as SpecDocument) };
}
