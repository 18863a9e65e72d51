// Turns emitter output into the exact bytes that belong on disk: header on generated files,
// formatted in memory with fixed prettier options (never the user's config, so output is the
// same on every machine), LF line endings, exactly one trailing newline. --check and
// write-if-changed both compare these bytes, so they always agree.
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
  const content = normalizeText(await format(file.path, text));
  return { path: file.path, content, owner: file.owner };
}

/** Renders every file, sorted by path; two files with one path is an emitter bug. */
export async function renderFiles(files: readonly GeneratedFile[]): Promise<RenderedFile[]> {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new WriteError('AAGEN_EMIT_CONTRACT', `two emitted files share the path ${f.path}`);
    seen.add(f.path);
  }
  const rendered = await Promise.all(files.map(renderFile));
  return rendered.sort((a, b) => compareStrings(a.path, b.path));
}

/** Code-unit order, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
