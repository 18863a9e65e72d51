// Validation and defaulting per version, compiled from the schema with ajv's standalone code
// generation: no schema is interpreted at request time. Two generated modules per version:
//   validation.ajv.ts  ajv's code (untyped JavaScript, so marked @ts-nocheck), importing its
//                      helpers from 'aa-gen/runtime' instead of ajv;
//   validation.ts      the typed surface: `validate<Kind>: SchemaValidate` and
//                      `applyDefaults<Kind>: ApplyDefaults`, returning Kubernetes field errors.
// CRD-isms are translated before compiling, as apiextensions-apiserver does
// (pkg/apiserver/validation/validation.go ConvertJSONSchemaPropsWithPostProcess):
// x-kubernetes-int-or-string -> type [integer, string]; nullable -> type [T, null];
// boolean exclusiveMinimum/Maximum -> draft-07 numbers; unsupported formats dropped;
// x-kubernetes-list-type: set -> uniqueItems (reported as Duplicate).
import { Ajv, _ } from 'ajv';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import type { KindIR, ProjectIR, StructuralSchema } from '../model/ir.js';
import { ajvRuntimeNames } from '../runtime/schema/ajv-runtime.js';
import { kubeFormatNames } from '../runtime/schema/formats.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { importPath, paths } from './paths.js';
import { camel, kindSchema, kindsIn, versionsWithKinds } from './ts/naming.js';
import { exportConst, f, importDecl, moduleText, printNode, ts, typeRef, withDoc } from './ts/print.js';

// ajv/dist/standalone is CommonJS; under NodeNext its default export may arrive wrapped.
type StandaloneCode = (ajv: Ajv, refsOrFunc?: Record<string, string>) => string;
const standaloneCode: StandaloneCode =
  typeof standaloneCodeModule === 'function'
    ? (standaloneCodeModule as unknown as StandaloneCode)
    : (standaloneCodeModule as unknown as { default: StandaloneCode }).default;

const supportedFormats = new Set(kubeFormatNames);

/** Keywords ajv must accept as annotations (they never validate by themselves). */
const annotationKeywords = [
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
];

type JsonSchema = Record<string, unknown>;

/** The schema ajv validates with: CRD-isms translated, annotations and defaults dropped. */
export function validationSchema(s: StructuralSchema): JsonSchema {
  const out: JsonSchema = {};
  let type: string | string[] | undefined = s.type;
  if (s['x-kubernetes-int-or-string'] === true) type = ['integer', 'string'];
  if (s.nullable === true && type !== undefined) type = [...(Array.isArray(type) ? type : [type]), 'null'];
  if (type !== undefined) out.type = type;
  if (s.enum !== undefined) out.enum = s.nullable === true && !s.enum.includes(null) ? [...s.enum, null] : [...s.enum];
  if (s.format !== undefined && supportedFormats.has(s.format) && s.type === 'string') out.format = s.format;
  for (const k of ['minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'multipleOf'] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum === true) out.exclusiveMinimum = s.minimum;
    else out.minimum = s.minimum;
  }
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum === true) out.exclusiveMaximum = s.maximum;
    else out.maximum = s.maximum;
  }
  if (s['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  if (s.required !== undefined && s.required.length > 0) out.required = [...s.required];
  if (s.properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, validationSchema(v)]));
  }
  if (s.items !== undefined) out.items = validationSchema(s.items);
  if (typeof s.additionalProperties === 'object') out.additionalProperties = validationSchema(s.additionalProperties);
  return out;
}

/**
 * The schema ajv defaults with: only the paths to `default`s. ajv assigns a property's default
 * only when its parent object exists and then descends into it, so nested defaults apply to
 * defaulted values too: kube's rules (apiextensions-apiserver pkg/apiserver/schema/defaulting).
 * Returns undefined when nothing below has a default.
 */
export function defaultingSchema(s: StructuralSchema): JsonSchema | undefined {
  const out: JsonSchema = {};
  let useful = false;
  if (s.properties !== undefined) {
    const props: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(s.properties)) {
      const child = defaultingSchema(v);
      const withDefault = v.default !== undefined ? { ...(child ?? {}), default: v.default } : child;
      if (withDefault !== undefined) props[k] = withDefault;
    }
    if (Object.keys(props).length > 0) {
      out.type = 'object';
      out.properties = props;
      useful = true;
    }
  }
  if (s.items !== undefined) {
    const items = defaultingSchema(s.items);
    if (items !== undefined) {
      out.type = 'array';
      out.items = items;
      useful = true;
    }
  }
  if (typeof s.additionalProperties === 'object') {
    const values = defaultingSchema(s.additionalProperties);
    if (values !== undefined) {
      out.type = 'object';
      out.additionalProperties = values;
      useful = true;
    }
  }
  return useful ? out : undefined;
}

const validatorName = (k: KindIR) => `${camel(k.kind)}Validator`;
const defaulterName = (k: KindIR) => `${camel(k.kind)}Defaulter`;
export const validateName = (k: KindIR) => `validate${k.kind}`;
export const applyDefaultsName = (k: KindIR) => `applyDefaults${k.kind}`;

/** Where ajv's code for a version goes: beside validation.ts. */
export const compiledValidationPath = (ir: ProjectIR, version: string) => paths.validation(ir, version).replace(/\.ts$/, '.ajv.ts');

/** ajv's standalone module for every kind of a version, importing only from aa-gen/runtime. */
export function compiledModule(ir: ProjectIR, version: string): string {
  const ajv = new Ajv({
    code: { source: true, esm: true, lines: true, formats: _`require("aa-gen/runtime:kubeFormats")` },
    allErrors: true,
    useDefaults: true,
    strict: false,
    // Only the names matter here: the code calls the runtime's kubeFormats at request time.
    formats: Object.fromEntries(kubeFormatNames.map((n) => [n, { validate: () => true }])),
  });
  for (const keyword of annotationKeywords) ajv.addKeyword({ keyword });
  const refs: Record<string, string> = {};
  for (const kind of kindsIn(ir, version)) {
    const schema = kindSchema(kind, version);
    ajv.addSchema(validationSchema(schema), `validate:${kind.kind}`);
    refs[validatorName(kind)] = `validate:${kind.kind}`;
    const defaulting = defaultingSchema(schema);
    if (defaulting !== undefined) {
      ajv.addSchema(defaulting, `default:${kind.kind}`);
      refs[defaulterName(kind)] = `default:${kind.kind}`;
    }
  }
  const used = new Set<string>();
  let code = standaloneCode(ajv, refs)
    .replace(/^"use strict";\n?/, '')
    .replace(/require\("ajv\/dist\/runtime\/([A-Za-z0-9_]+)"\)\.default/g, (_m, name: string) => {
      if (!ajvRuntimeNames.includes(name)) throw new Error(`internal: ajv code needs runtime helper ${name}; add it to src/runtime/schema/ajv-runtime.ts`);
      used.add('ajvRuntime');
      return `ajvRuntime.${name}`;
    })
    .replace(/require\("aa-gen\/runtime:kubeFormats"\)/g, () => {
      used.add('kubeFormats');
      return 'kubeFormats';
    });
  if (/\brequire\(/.test(code)) throw new Error(`internal: ajv code for ${ir.group}/${version} still requires a module`);
  // Stubs for kinds without defaults, so the typed module imports the same names for all.
  for (const kind of kindsIn(ir, version)) {
    if (refs[defaulterName(kind)] === undefined) code += `\nexport function ${defaulterName(kind)}() { return true; }\n`;
  }
  const header = [
    '// @ts-nocheck',
    '// ajv standalone code compiled from the schemas of this version (untyped JavaScript, hence',
    '// @ts-nocheck); its typed surface is ./validation.ts.',
  ].join('\n');
  // Written out (not printNode) so that, like the rest of the module, it is final as emitted.
  const imports = used.size > 0 ? `import { ${[...used].sort().join(', ')} } from 'aa-gen/runtime';` : '';
  return moduleText([header, imports, indentBlocks(code.trim())]);
}

/**
 * ajv's code (one statement per line, nothing indented) with each line indented two spaces per
 * enclosing block, so a reader can follow it; prettier would take seconds per version for a
 * large API (the module is marked formatted and skips it). A line that leaves brackets open
 * (`if(x){`, `g({`) opens one level, which ends with the line that closes them. Only whitespace
 * at line starts and ends changes, never a token: JavaScript without template literals or
 * line continuations has no string spanning lines. Code this scanner cannot follow (a backtick,
 * a string left open at the end of a line, brackets that do not balance) is returned
 * unchanged: still correct, just flat.
 */
export function indentBlocks(code: string): string {
  const out: string[] = [];
  /** Per open level, how many of the brackets that opened it are still open. */
  const levels: number[] = [];
  for (const raw of code.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      out.push('');
      continue;
    }
    const brackets = line.startsWith('//') ? { leadingClosers: 0, closes: 0, opens: 0 } : scanBrackets(line);
    if (brackets === undefined) return code;
    // The line sits outside the levels its leading closers end.
    let depth = levels.length;
    for (let left = brackets.leadingClosers, i = levels.length - 1; left > 0 && i >= 0; i--) {
      if (left < levels[i]!) break;
      left -= levels[i]!;
      depth--;
    }
    out.push('  '.repeat(depth) + line);
    for (let left = brackets.closes; left > 0; ) {
      if (levels.length === 0) return code;
      const top = levels.length - 1;
      const closed = Math.min(left, levels[top]!);
      left -= closed;
      levels[top]! -= closed;
      if (levels[top] === 0) levels.pop();
    }
    if (brackets.opens > 0) levels.push(brackets.opens);
  }
  return levels.length === 0 ? out.join('\n') : code;
}

/**
 * The brackets of one line, outside string literals: closers that come before anything else,
 * closers of brackets opened on earlier lines, and brackets left open at the end.
 */
function scanBrackets(line: string): { leadingClosers: number; closes: number; opens: number } | undefined {
  let leadingClosers = 0;
  let leading = true;
  let closes = 0;
  let opens = 0;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '`') return undefined;
    if (ch === '"' || ch === "'") {
      quote = ch;
      leading = false;
    } else if (ch === '{' || ch === '(' || ch === '[') {
      opens++;
      leading = false;
    } else if (ch === '}' || ch === ')' || ch === ']') {
      if (opens > 0) opens--;
      else closes++;
      if (leading) leadingClosers++;
    } else if (ch !== ' ') {
      leading = false;
    }
  }
  return quote === undefined ? { leadingClosers, closes, opens } : undefined;
}

/** The typed surface: validate<Kind> and applyDefaults<Kind> for every kind of a version. */
export function validationModule(ir: ProjectIR, version: string): string {
  const kinds = kindsIn(ir, version);
  const parts = [
    printNode(importDecl(['ApplyDefaults', 'CompiledSchemaValidator', 'SchemaValidate'], 'aa-gen/runtime', true)),
    printNode(importDecl(['runSchemaDefaulter', 'runSchemaValidator'], 'aa-gen/runtime')),
    printNode(
      importDecl(
        kinds.flatMap((k) => [validatorName(k), defaulterName(k)]),
        importPath(paths.validation(ir, version), compiledValidationPath(ir, version)),
      ),
    ),
  ];
  const call = (fn: string, compiled: string, arg: string) =>
    f.createArrowFunction(
      undefined,
      undefined,
      [f.createParameterDeclaration(undefined, undefined, arg)],
      undefined,
      f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
      f.createCallExpression(f.createIdentifier(fn), undefined, [
        f.createAsExpression(f.createIdentifier(compiled), typeRef('CompiledSchemaValidator')),
        f.createIdentifier(arg),
      ]),
    );
  for (const kind of kinds) {
    const gv = `${ir.group}/${version}`;
    parts.push(
      printNode(
        withDoc(exportConst(validateName(kind), typeRef('SchemaValidate'), call('runSchemaValidator', validatorName(kind), 'obj')), [
          `Validates a ${kind.kind} of ${gv} against its schema; returns Kubernetes field errors (empty when valid).`,
          'Does not modify `obj`.',
        ]),
      ),
    );
    parts.push(
      printNode(
        withDoc(exportConst(applyDefaultsName(kind), typeRef('ApplyDefaults'), call('runSchemaDefaulter', defaulterName(kind), 'obj')), [
          `Applies the schema defaults of ${kind.kind} in ${gv} to \`obj\`, in place. A default applies only where`,
          'its parent object exists; defaulted objects get their own nested defaults.',
        ]),
      ),
    );
  }
  return moduleText(parts);
}

export const validationEmitter: Emitter = {
  name: 'validation',
  emit(ir: ProjectIR): GeneratedFile[] {
    return versionsWithKinds(ir).flatMap((version): GeneratedFile[] => [
      { path: paths.validation(ir, version), content: validationModule(ir, version), owner: 'generated' },
      // ajv's code, indented by construction (indentBlocks): prettier would only restyle it.
      { path: compiledValidationPath(ir, version), content: compiledModule(ir, version), owner: 'generated', formatted: true },
    ]);
  },
};
