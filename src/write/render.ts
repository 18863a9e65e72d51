// Turns emitter output into the exact bytes that belong on disk: header on generated files,
// formatted in memory with fixed prettier options (never the user's config, so output is the
// same on every machine), LF line endings, exactly one trailing newline. --check and
// write-if-changed both compare these bytes, so they always agree. Files an emitter marks
// `formatted` (laid out by construction, e.g. the big OpenAPI data modules) skip the formatter
// but get the same header and newline rules.
import type { GeneratedFile } from '../emit/emitter.js';
import { WriteError } from './errors.js';
import { addHeader, commentStyleFor } from './header.js';

/** A file ready for disk: `content` is final (header, formatting, newlines). */
export type RenderedFile = GeneratedFile;

/** Fixed formatting options; changing them changes every generated file. */
const prettierOptions = {
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: true,
  trailingComma: 'all',
  bracketSpacing: true,
  arrowParens: 'always',
  proseWrap: 'preserve',
  endOfLine: 'lf',
} as const;

/** The prettier parser for a path, or undefined for types prettier does not format. */
function parserFor(path: string): string | undefined {
  if (/\.[mc]?ts$/.test(path)) return 'typescript';
  if (/\.[mc]?js$/.test(path)) return 'babel';
  if (/\.ya?ml$/.test(path)) return 'yaml';
  if (/\.md$/.test(path)) return 'markdown';
  if (/\.json$/.test(path)) return 'json';
  return undefined;
}

/** A project-relative POSIX path that stays inside the project. */
export function checkRelativePath(path: string): void {
  const bad =
    path === '' ||
    path.startsWith('/') ||
    /^[A-Za-z]:/.test(path) ||
    path.includes('\\') ||
    path.split('/').some((part) => part === '' || part === '.' || part === '..');
  if (bad) {
    throw new WriteError('AAGEN_EMIT_CONTRACT', `emitted path "${path}" is not a relative POSIX path inside the project`);
  }
}

/** LF only, no trailing whitespace at end of file, exactly one final newline. */
export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s*$/, '') + '\n';
}

let prettierModule: Promise<typeof import('prettier')> | undefined;

async function format(path: string, text: string): Promise<string> {
  const parser = parserFor(path);
  if (parser === undefined) return text;
  prettierModule ??= import('prettier');
  const prettier = await prettierModule;
  try {
    return await prettier.format(text, { ...prettierOptions, parser });
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new WriteError('AAGEN_EMIT_CONTRACT', `emitted ${path} does not parse as ${parser}: ${reason}`, { cause: e });
  }
}

/** Renders one file to its final bytes. */
export async function renderFile(file: GeneratedFile): Promise<RenderedFile> {
  checkRelativePath(file.path);
  let text = normalizeText(file.content);
  if (file.owner === 'generated') {
    if (commentStyleFor(file.path) === undefined) {
      throw new WriteError(
        'AAGEN_EMIT_CONTRACT',
        `emitted ${file.path} is marked generated, but its file type cannot carry the "DO NOT EDIT" header ` +
          '(emit it as TypeScript or YAML instead, or make it user-owned)',
      );
    }
    text = addHeader(file.path, text);
  }
  const content = file.formatted === true ? text : normalizeText(await format(file.path, text));
  return { path: file.path, content, owner: file.owner };
}

/**
 * How many files are formatted at once. prettier is CPU-bound on this one thread, so more in
 * flight buys no time and only keeps more syntax trees alive: every file at once peaked at
 * 2.5 GiB for 200 kinds (bench/README.md); 1, 2 and 4 took the same time there.
 */
const RENDER_CONCURRENCY = 2;

/** Renders every file, sorted by path; two files with one path is an emitter bug. */
export async function renderFiles(files: readonly GeneratedFile[]): Promise<RenderedFile[]> {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new WriteError('AAGEN_EMIT_CONTRACT', `two emitted files share the path ${f.path}`);
    seen.add(f.path);
  }
  const rendered = await mapBounded(files, RENDER_CONCURRENCY, renderFile);
  return rendered.sort((a, b) => compareStrings(a.path, b.path));
}

/** `items.map(fn)` with at most `limit` calls in flight; results in input order; fails on the first error. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (e) {
        next = items.length; // the other workers stop after their current item
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Code-unit order, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
