// Printing TypeScript built with the compiler's node factory (ts-morph's bundled `ts`, so the
// generator needs no dev dependency at run time). Escaping of names, strings and comments is
// the printer's job, never string concatenation's.
import { ts } from 'ts-morph';
import { isIdentifier } from './naming.js';

export { ts };
export const f = ts.factory;

const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });
const scratch = ts.createSourceFile('emit.ts', '', ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);

export function printNode(node: ts.Node): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, scratch);
}

/** Prints statements, one blank line between them. */
export function printStatements(nodes: readonly ts.Node[]): string {
  return nodes.map(printNode).join('\n\n');
}

/** A property name: bare when it is an identifier, quoted otherwise. */
export function propName(name: string): ts.PropertyName {
  return isIdentifier(name) ? f.createIdentifier(name) : f.createStringLiteral(name);
}

/** JSON-like data as an expression (object keys in their given order). */
export function literal(value: unknown): ts.Expression {
  if (value === null) return f.createNull();
  if (value === undefined) return f.createIdentifier('undefined');
  if (typeof value === 'string') return f.createStringLiteral(value);
  if (typeof value === 'boolean') return value ? f.createTrue() : f.createFalse();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`internal: cannot emit number ${value}`);
    return value < 0 || Object.is(value, -0)
      ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createNumericLiteral(-value))
      : f.createNumericLiteral(value);
  }
  if (Array.isArray(value)) return f.createArrayLiteralExpression(value.map(literal), false);
  if (typeof value === 'object') {
    return f.createObjectLiteralExpression(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => f.createPropertyAssignment(propName(k), literal(v))),
      true,
    );
  }
  throw new Error(`internal: cannot emit a ${typeof value} literal`);
}

/** A literal type: `'Flunder'`, `3`, `true`, `null`. */
export function literalType(value: unknown): ts.TypeNode {
  if (value === null) return f.createLiteralTypeNode(f.createNull());
  if (typeof value === 'string') return f.createLiteralTypeNode(f.createStringLiteral(value));
  if (typeof value === 'boolean') return f.createLiteralTypeNode(value ? f.createTrue() : f.createFalse());
  if (typeof value === 'number') {
    return f.createLiteralTypeNode(
      value < 0
        ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createNumericLiteral(-value))
        : f.createNumericLiteral(value),
    );
  }
  return f.createKeywordTypeNode(ts.SyntaxKind.UnknownKeyword);
}

/** Attaches a JSDoc block (`/** ... *\/`) to a node; `lines` are joined, empty ones dropped. */
export function withDoc<T extends ts.Node>(node: T, lines: readonly (string | undefined)[]): T {
  const text = lines
    .filter((l): l is string => l !== undefined && l.trim() !== '')
    .join('\n')
    .replace(/\*\//g, '*\\/');
  if (text === '') return node;
  const body = text
    .split('\n')
    .map((l) => ` * ${l}`.trimEnd())
    .join('\n');
  return ts.addSyntheticLeadingComment(node, ts.SyntaxKind.MultiLineCommentTrivia, `*\n${body}\n `, true);
}

/** `import { a, b } from 'm';` or `import type { ... }` (names sorted for stable output). */
export function importDecl(names: readonly string[], from: string, typeOnly = false): ts.ImportDeclaration {
  const sorted = [...new Set(names)].sort();
  return f.createImportDeclaration(
    undefined,
    f.createImportClause(
      typeOnly,
      undefined,
      f.createNamedImports(sorted.map((n) => f.createImportSpecifier(false, undefined, f.createIdentifier(n)))),
    ),
    f.createStringLiteral(from),
  );
}

/** `import * as name from 'm';` or `import type * as name`. */
export function importNamespace(name: string, from: string, typeOnly = false): ts.ImportDeclaration {
  return f.createImportDeclaration(
    undefined,
    f.createImportClause(typeOnly, undefined, f.createNamespaceImport(f.createIdentifier(name))),
    f.createStringLiteral(from),
  );
}

const exportKeyword = () => [f.createModifier(ts.SyntaxKind.ExportKeyword)];

/** `export const name: Type = value;` (Type omitted when undefined). */
export function exportConst(name: string, type: ts.TypeNode | undefined, value: ts.Expression): ts.VariableStatement {
  return f.createVariableStatement(
    exportKeyword(),
    f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, type, value)], ts.NodeFlags.Const),
  );
}

export function typeRef(name: string, args?: readonly ts.TypeNode[]): ts.TypeReferenceNode {
  return f.createTypeReferenceNode(name, args);
}

/** Joins source fragments into a module: blank line between parts, one trailing newline. */
export function moduleText(parts: readonly string[]): string {
  return parts.filter((p) => p.trim() !== '').join('\n\n') + '\n';
}
