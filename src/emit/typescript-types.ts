// Types per kind and version: `<Kind>`, `<Kind>List`, one declaration per struct in the schema
// (`<Kind>Spec`, `<Kind>SpecPortsItem`...), and type guards. Built with the TypeScript node
// factory from the structural schema (not json-schema-to-typescript, whose compile() is async
// and whose naming we could not keep stable across versions for the conversion emitter).
import type { ProjectIR, StructuralSchema } from '../model/ir.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { paths } from './paths.js';
import { isStruct, itemKey, mapValues, childKey, valueKey, versionNames, versionsWithKinds } from './ts/naming.js';
import type { KindNames, PathKey } from './ts/naming.js';
import { exportConst, f, importDecl, literalType, moduleText, printNode, propName, ts, typeRef, withDoc } from './ts/print.js';

const kw = (k: ts.KeywordTypeSyntaxKind) => f.createKeywordTypeNode(k);
const indexSignature = (value: ts.TypeNode) =>
  f.createIndexSignature(
    undefined,
    [f.createParameterDeclaration(undefined, undefined, 'key', undefined, kw(ts.SyntaxKind.StringKeyword))],
    value,
  );

/** The TypeScript type of a schema node at `key`, referring to named structs by name. */
function typeOf(s: StructuralSchema, key: PathKey, names: KindNames): ts.TypeNode {
  const t = baseType(s, key, names);
  return s.nullable === true ? f.createUnionTypeNode([t, literalType(null)]) : t;
}

function baseType(s: StructuralSchema, key: PathKey, names: KindNames): ts.TypeNode {
  if (s['x-kubernetes-int-or-string'] === true) {
    return f.createUnionTypeNode([kw(ts.SyntaxKind.NumberKeyword), kw(ts.SyntaxKind.StringKeyword)]);
  }
  if (s.enum !== undefined && s.enum.length > 0) return f.createUnionTypeNode(s.enum.map(literalType));
  switch (s.type) {
    case 'string':
      return kw(ts.SyntaxKind.StringKeyword);
    case 'integer':
    case 'number':
      return kw(ts.SyntaxKind.NumberKeyword);
    case 'boolean':
      return kw(ts.SyntaxKind.BooleanKeyword);
    case 'array':
      return f.createArrayTypeNode(
        s.items === undefined ? kw(ts.SyntaxKind.UnknownKeyword) : typeOf(s.items, itemKey(key), names),
      );
    case 'object': {
      const named = names.nameAt.get(key);
      if (named !== undefined && isStruct(s)) return typeRef(named);
      const values = mapValues(s);
      const valueType = values !== undefined ? typeOf(values, valueKey(key), names) : kw(ts.SyntaxKind.UnknownKeyword);
      return f.createTypeLiteralNode([indexSignature(valueType)]);
    }
    default:
      return kw(ts.SyntaxKind.UnknownKeyword);
  }
}

/** JSDoc lines for a field: its description and, when it has one, its default. */
function docOf(s: StructuralSchema): string[] {
  const lines: string[] = [];
  if (s.description) lines.push(s.description);
  if (s.format) lines.push(`Format: ${s.format}.`);
  if (s.default !== undefined) lines.push(`@default ${JSON.stringify(s.default)}`);
  return lines;
}

function members(s: StructuralSchema, key: PathKey, names: KindNames): ts.TypeElement[] {
  const required = new Set(s.required ?? []);
  const props = Object.entries(s.properties ?? {}).map(([prop, child]) =>
    withDoc(
      f.createPropertySignature(
        undefined,
        propName(prop),
        required.has(prop) ? undefined : f.createToken(ts.SyntaxKind.QuestionToken),
        typeOf(child, childKey(key, prop), names),
      ),
      docOf(child),
    ),
  );
  const open = s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
  return open ? [...props, indexSignature(kw(ts.SyntaxKind.UnknownKeyword))] : props;
}

function structDecl(name: string, s: StructuralSchema, key: PathKey, names: KindNames): ts.Node {
  const exp = [f.createModifier(ts.SyntaxKind.ExportKeyword)];
  const doc = s.description ? [s.description] : [];
  const elems = members(s, key, names);
  if (elems.length === 0) {
    // A struct without fields: pruning leaves it empty, so the type says exactly that.
    return withDoc(f.createTypeAliasDeclaration(exp, name, undefined, typeRef('Record', [kw(ts.SyntaxKind.StringKeyword), kw(ts.SyntaxKind.NeverKeyword)])), doc);
  }
  return withDoc(f.createInterfaceDeclaration(exp, name, undefined, undefined, elems), doc);
}

/**
 * The kind itself. A type alias rather than an interface: aliases of object literal types are
 * assignable to `KubeObject`'s index signature, so `Strategy<Flunder>` typechecks.
 */
function kindDecl(ir: ProjectIR, version: string, names: KindNames): ts.Node[] {
  const { kind, schema } = names;
  const apiVersion = `${ir.group}/${version}`;
  const header = [
    f.createPropertySignature(undefined, 'apiVersion', undefined, literalType(apiVersion)),
    f.createPropertySignature(undefined, 'kind', undefined, literalType(kind.kind)),
    f.createPropertySignature(undefined, 'metadata', undefined, typeRef('ObjectMeta')),
  ];
  const reserved = new Set(['apiVersion', 'kind', 'metadata']);
  const body = members({ ...schema, properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([p]) => !reserved.has(p))) }, '', names);
  const exp = [f.createModifier(ts.SyntaxKind.ExportKeyword)];
  const kindType = withDoc(
    f.createTypeAliasDeclaration(exp, kind.kind, undefined, f.createTypeLiteralNode([...header, ...body])),
    [kind.description || schema.description, `${kind.kind} in ${apiVersion}.`],
  );
  const listType = withDoc(
    f.createTypeAliasDeclaration(
      exp,
      kind.listKind,
      undefined,
      f.createTypeLiteralNode([
        f.createPropertySignature(undefined, 'apiVersion', undefined, literalType(apiVersion)),
        f.createPropertySignature(undefined, 'kind', undefined, literalType(kind.listKind)),
        f.createPropertySignature(undefined, 'metadata', undefined, typeRef('ListMeta')),
        f.createPropertySignature(undefined, 'items', undefined, f.createArrayTypeNode(typeRef(kind.kind))),
      ]),
    ),
    [`${kind.listKind} is a list of ${kind.kind} in ${apiVersion}.`],
  );
  return [kindType, listType, guard(kind.kind, apiVersion), guard(kind.listKind, apiVersion)];
}

/** `export function isX(value: unknown): value is X` checking apiVersion and kind. */
function guard(typeName: string, apiVersion: string): ts.Node {
  const field = (name: string) =>
    f.createPropertyAccessExpression(
      f.createParenthesizedExpression(
        f.createAsExpression(
          f.createIdentifier('value'),
          f.createTypeLiteralNode([f.createPropertySignature(undefined, name, f.createToken(ts.SyntaxKind.QuestionToken), kw(ts.SyntaxKind.UnknownKeyword))]),
        ),
      ),
      name,
    );
  const and = (a: ts.Expression, b: ts.Expression) => f.createBinaryExpression(a, ts.SyntaxKind.AmpersandAmpersandToken, b);
  const test = [
    f.createStrictEquality(f.createTypeOfExpression(f.createIdentifier('value')), f.createStringLiteral('object')),
    f.createStrictInequality(f.createIdentifier('value'), f.createNull()),
    f.createStrictEquality(field('apiVersion'), f.createStringLiteral(apiVersion)),
    f.createStrictEquality(field('kind'), f.createStringLiteral(typeName)),
  ].reduce(and);
  return withDoc(
    f.createFunctionDeclaration(
      [f.createModifier(ts.SyntaxKind.ExportKeyword)],
      undefined,
      `is${typeName}`,
      undefined,
      [f.createParameterDeclaration(undefined, undefined, 'value', undefined, kw(ts.SyntaxKind.UnknownKeyword))],
      f.createTypePredicateNode(undefined, 'value', typeRef(typeName)),
      f.createBlock([f.createReturnStatement(test)], true),
    ),
    [`True when \`value\` is a ${typeName} of ${apiVersion} (checks apiVersion and kind only).`],
  );
}

/** The contents of one version's types.ts. */
export function typesModule(ir: ProjectIR, version: string): string {
  const kinds = versionNames(ir, version);
  const parts: string[] = [printNode(importDecl(['ListMeta', 'ObjectMeta'], 'aa-gen/runtime', true))];
  parts.push(printNode(withDoc(exportConst('apiVersion', undefined, f.createAsExpression(f.createStringLiteral(`${ir.group}/${version}`), typeRef('const'))), [`The group version of every type in this file.`])));
  for (const names of kinds) {
    for (const node of kindDecl(ir, version, names)) parts.push(printNode(node));
    for (const struct of names.structs) parts.push(printNode(structDecl(struct.name, struct.schema, struct.key, names)));
  }
  return moduleText(parts);
}

export const typesEmitter: Emitter = {
  name: 'types',
  emit(ir: ProjectIR): GeneratedFile[] {
    return versionsWithKinds(ir).map((version) => ({
      path: paths.types(ir, version),
      content: typesModule(ir, version),
      owner: 'generated',
    }));
  },
};
