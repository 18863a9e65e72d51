// A problem found in a spec: a value, never an exception. Every problem names the file, the
// position (1-based line and column; 0 when the problem has no position, e.g. an unreadable
// file), the JSON pointer of the offending node, a stable code, and how to fix it.

/**
 * Stable problem codes. Tests and users may depend on them; add new ones, never rename.
 * The table documents each code (test/spec checks every code used is listed here).
 */
export const PROBLEM_CODES = {
  'read-error': 'the spec file could not be read',
  'yaml-syntax': 'the file is not valid YAML',
  'duplicate-key': 'a YAML mapping has the same key twice',
  'alias-bomb': 'YAML aliases expand to too many nodes (a resource exhaustion attack)',
  'not-a-mapping': 'the document is not a YAML mapping',
  'unknown-key': 'a key the spec format does not know',
  'missing-field': 'a required field is absent',
  'wrong-type': 'a value has the wrong type',
  enum: 'a value is not one of the allowed values',
  'dns-name': 'a name is not a valid DNS label or subdomain',
  'kind-name': 'a kind is not UpperCamelCase',
  length: 'a string or list is too short or too long',
  'out-of-range': 'a number is out of range',
  'duplicate-item': 'a list has the same item twice',
  invalid: 'a value breaks a rule of the spec schema',
  'duplicate-version': 'two versions of the group have the same name',
  'storage-version-count': 'not exactly one version has storage: true',
  'preferred-version-count': 'more than one version has preferred: true',
  'preferred-not-served': 'the preferred version is not served',
  'no-served-version': 'no version of the group is served',
  'unknown-version': "a kind's version is not one of the group's versions",
  'kind-no-versions': 'a kind exists in no version',
  'duplicate-kind': 'two kinds have the same name (or a kind is named like another kind\'s list)',
  'duplicate-plural': 'two kinds have the same plural resource name',
  'duplicate-singular': 'two kinds have the same singular resource name',
  'duplicate-short-name': 'a short name is used twice, or equals a plural or singular name',
  'non-structural': 'a schema is not structural (as CRDs require)',
  'reserved-field': 'a schema declares apiVersion, kind or metadata at its root',
  'invalid-default': 'a default does not match its schema',
  'invalid-enum': 'an enum value does not match its schema',
  'list-map-keys': 'x-kubernetes-list-map-keys is wrong',
  'invalid-pattern': 'a pattern is not a valid regular expression',
  'invalid-jsonpath': 'a JSONPath cannot be parsed',
  'invalid-scale-path': 'a scale subresource path is not where Kubernetes requires it',
  'duplicate-column': 'two printer columns have the same name',
  'duplicate-selectable-field': 'a selectable field is listed twice',
  'admission-plugin-name': 'an admission plugin name is not UpperCamelCase',
  'duplicate-admission-plugin': 'two admission plugins have the same name (or the same file name)',
  'unknown-kind': 'a kind named in the spec is not one of its kinds',
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export interface SpecProblem {
  readonly code: ProblemCode;
  /** The file as the caller named it (the CLI passes a path relative to cwd). */
  readonly file: string;
  /** 1-based; 0 when the problem has no position. */
  readonly line: number;
  /** 1-based; 0 when the problem has no position. */
  readonly column: number;
  /** JSON pointer (RFC 6901) of the offending node; '' for the document. */
  readonly pointer: string;
  readonly message: string;
  /** How to fix it; may be ''. */
  readonly hint: string;
}

/** `aa-gen.yaml:12:5: error[code]: message` and, when there is one, `  hint: ...` below. */
export function formatProblem(p: SpecProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  const head = `${where}: error[${p.code}]: ${p.message}`;
  return p.hint ? `${head}\n  hint: ${p.hint}` : head;
}

/** Problems in reading order: by position, then code and message, so output is stable. */
export function sortProblems(problems: readonly SpecProblem[]): SpecProblem[] {
  return [...problems].sort(
    (a, b) =>
      a.line - b.line ||
      a.column - b.column ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}
