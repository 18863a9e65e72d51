// Rules JSON Schema cannot express: version counts, names unique across kinds (derived names
// included), a kind's versions among the group's, JSONPaths that parse and sit where
// Kubernetes wants them, and structural schemas. Mirrors what kube-apiserver checks for a
// CRD (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go) and
// the NamesAccepted conflicts between CRDs of one group (pkg/controller/status/naming_controller.go).
import { compileJsonPath } from '../runtime/util/jsonpath.js';
import { listKindOf, pluralOf, singularOf } from '../model/names.js';
import type { Finding } from './json-schema.js';
import { isRecord, records, str, type Rec } from './guards.js';
import { toPointer } from './source.js';
import { checkStructuralSchema } from './structural.js';
import { didYouMean, quote } from './text.js';

const KIND_NAME = /^[A-Z][A-Za-z0-9]*$/;

/** `kind Widget` when the kind has a usable name, else `kinds[3]`. */
function kindLabel(k: Rec, i: number): string {
  const kind = str(k.kind);
  return kind !== undefined && KIND_NAME.test(kind) ? `kind ${kind}` : `kinds[${i}]`;
}

export function crossCheck(spec: Rec): Finding[] {
  const out: Finding[] = [];
  const groupVersions = checkVersions(spec.versions, out);
  checkKinds(spec.kinds, groupVersions, out);
  checkAdmission(spec.admission, spec.kinds, out);
  return out;
}

/**
 * Admission plugins: names unique, also as file names (src/admission/<name lower-cased>.ts),
 * and kinds among the spec's kinds.
 */
function checkAdmission(admission: unknown, kinds: unknown, out: Finding[]): void {
  if (!isRecord(admission)) return;
  const kindNames = records(kinds).flatMap(([, k]) => (str(k.kind) !== undefined ? [str(k.kind)!] : []));
  const seen = new Map<string, { index: number; name: string }>();
  for (const [i, p] of records(admission.plugins)) {
    const name = str(p.name);
    if (name !== undefined && KIND_NAME.test(name)) {
      const other = seen.get(name.toLowerCase());
      if (other !== undefined) {
        out.push({
          code: 'duplicate-admission-plugin',
          pointer: `/admission/plugins/${i}/name`,
          message:
            other.name === name
              ? `admission plugin ${quote(name)} is defined twice (plugins[${other.index}] and plugins[${i}])`
              : `admission plugin ${quote(name)} has the file name of ${quote(other.name)} (src/admission/${name.toLowerCase()}.ts)`,
          hint: 'give every plugin its own name; one plugin may handle several kinds and operations',
        });
      } else seen.set(name.toLowerCase(), { index: i, name });
    }
    if (!Array.isArray(p.kinds)) continue;
    p.kinds.forEach((k, j) => {
      const kind = str(k);
      if (kind === undefined || !KIND_NAME.test(kind) || kindNames.includes(kind)) return;
      out.push({
        code: 'unknown-kind',
        pointer: `/admission/plugins/${i}/kinds/${j}`,
        message: `admission plugin ${name !== undefined ? quote(name) : `plugins[${i}]`} names kind ${quote(kind)}, which is not a kind of the spec`,
        hint: didYouMean(kind, kindNames) ? `did you mean ${quote(didYouMean(kind, kindNames))}?` : kindNames.length ? `use one of ${kindNames.join(', ')}` : 'define the kind under kinds:',
      });
    });
  }
}

/** Returns the group's version names (undefined when `versions` is not a list). */
function checkVersions(versions: unknown, out: Finding[]): Set<string> | undefined {
  if (!Array.isArray(versions)) return undefined;
  const names = new Set<string>();
  const list = records(versions);
  for (const [i, v] of list) {
    const name = str(v.name);
    if (name === undefined) continue;
    if (names.has(name)) {
      out.push({
        code: 'duplicate-version',
        pointer: `/versions/${i}/name`,
        message: `version ${quote(name)} is listed twice`,
        hint: 'list each version once',
      });
    }
    names.add(name);
  }
  if (list.length === 0) return names;

  const storage = list.filter(([, v]) => v.storage === true);
  if (storage.length === 0) {
    out.push({
      code: 'storage-version-count',
      pointer: '/versions',
      message: 'no version has storage: true',
      hint: 'mark exactly one version storage: true: objects are stored in it and every other version converts through it',
    });
  }
  for (const [i] of storage.slice(1)) {
    out.push({
      code: 'storage-version-count',
      pointer: `/versions/${i}/storage`,
      message: `versions[${i}] is a second storage version (versions[${storage[0][0]}] is one already)`,
      hint: 'exactly one version may have storage: true; remove it from all but one',
    });
  }
  const preferred = list.filter(([, v]) => v.preferred === true);
  for (const [i] of preferred.slice(1)) {
    out.push({
      code: 'preferred-version-count',
      pointer: `/versions/${i}/preferred`,
      message: `versions[${i}] is a second preferred version (versions[${preferred[0][0]}] is one already)`,
      hint: 'at most one version may have preferred: true; without one, Kubernetes version priority decides',
    });
  }
  for (const [i, v] of preferred) {
    if (v.served === false) {
      out.push({
        code: 'preferred-not-served',
        pointer: `/versions/${i}/preferred`,
        message: `versions[${i}] is preferred but not served`,
        hint: 'serve it (remove served: false) or prefer a served version',
      });
    }
  }
  if (list.every(([, v]) => v.served === false)) {
    out.push({
      code: 'no-served-version',
      pointer: '/versions',
      message: 'no version of the group is served',
      hint: 'serve at least one version (served defaults to true)',
    });
  }
  return names;
}

type NameField = 'plural' | 'singular' | 'shortNames';
const DUPLICATE_CODE = { plural: 'duplicate-plural', singular: 'duplicate-singular', shortNames: 'duplicate-short-name' } as const;

function checkKinds(kinds: unknown, groupVersions: Set<string> | undefined, out: Finding[]): void {
  const kindNames = new Map<string, number>();
  /** Resource names (plural, singular, short names) -> the kind that has it. kubectl resolves them all alike. */
  const resourceNames = new Map<string, { kind: number; field: NameField }>();
  const list = records(kinds);

  for (const [i, k] of list) {
    const kind = str(k.kind);
    const valid = kind !== undefined && KIND_NAME.test(kind);
    if (valid) {
      const other = kindNames.get(kind);
      if (other !== undefined) {
        out.push({
          code: 'duplicate-kind',
          pointer: `/kinds/${i}/kind`,
          message: `kind ${quote(kind)} is defined twice (kinds[${other}] and kinds[${i}])`,
          hint: 'define each kind once; give it several versions under versions:',
        });
      } else kindNames.set(kind, i);
    }
  }
  // A kind named like another's list kind would make <Kind>List ambiguous.
  for (const [i, k] of list) {
    const kind = str(k.kind);
    if (kind === undefined || !KIND_NAME.test(kind)) continue;
    const owner = [...kindNames.keys()].find((other) => listKindOf(other) === kind);
    if (owner !== undefined) {
      out.push({
        code: 'duplicate-kind',
        pointer: `/kinds/${i}/kind`,
        message: `kind ${quote(kind)} is the list kind of ${quote(owner)}`,
        hint: `rename it: ${owner} is listed as ${kind}`,
      });
    }
  }

  for (const [i, k] of list) {
    const kind = str(k.kind);
    // A second kind of the same name is reported once, as duplicate-kind, not again for the
    // names derived from it.
    const valid = kind !== undefined && KIND_NAME.test(kind) && kindNames.get(kind) === i;
    const claim = (name: string | undefined, field: NameField, pointer: string, derived: boolean) => {
      if (name === undefined) return;
      const taken = resourceNames.get(name);
      if (taken && taken.kind !== i) {
        const theirs = taken.field === 'shortNames' ? 'short name' : taken.field;
        out.push({
          code: DUPLICATE_CODE[field],
          pointer,
          message: `${derived ? 'derived ' : ''}${field === 'shortNames' ? 'short name' : field} ${quote(name)} of ${kindLabel(k, i)} is already the ${theirs} of ${kindLabel(list.find(([j]) => j === taken.kind)![1], taken.kind)}`,
          hint: derived
            ? `set ${field}: explicitly to a different name`
            : `choose a name no other kind of the group uses as plural, singular or short name`,
        });
      } else if (!taken) resourceNames.set(name, { kind: i, field });
    };
    const plural = str(k.plural);
    claim(plural ?? (valid ? pluralOf(kind) : undefined), 'plural', plural !== undefined ? `/kinds/${i}/plural` : `/kinds/${i}/kind`, plural === undefined);
    const singular = str(k.singular);
    claim(singular ?? (valid ? singularOf(kind) : undefined), 'singular', singular !== undefined ? `/kinds/${i}/singular` : `/kinds/${i}/kind`, singular === undefined);
    if (Array.isArray(k.shortNames)) {
      k.shortNames.forEach((s, j) => claim(str(s), 'shortNames', `/kinds/${i}/shortNames/${j}`, false));
    }

    checkKindVersions(k, i, groupVersions, out);
    checkPrinterColumns(k, i, out);
    checkScale(k, i, out);
    checkSelectableFields(k, i, out);
  }
}

function checkKindVersions(k: Rec, i: number, groupVersions: Set<string> | undefined, out: Finding[]): void {
  if (!isRecord(k.versions)) return;
  for (const [version, body] of Object.entries(k.versions)) {
    const pointer = toPointer(['kinds', i, 'versions', version]);
    if (groupVersions && !groupVersions.has(version)) {
      out.push({
        code: 'unknown-version',
        pointer,
        at: 'key',
        message: `${kindLabel(k, i)} uses version ${quote(version)}, which is not a version of the group`,
        hint: groupVersions.size
          ? `use one of ${[...groupVersions].join(', ')}, or add ${version} to the top-level versions:`
          : `add ${version} to the top-level versions:`,
      });
    }
    if (isRecord(body)) out.push(...checkStructuralSchema(body.schema, `${pointer}/schema`));
  }
}

function checkPath(path: unknown, pointer: string, what: string, out: Finding[]): boolean {
  if (typeof path !== 'string') return false;
  try {
    compileJsonPath(path);
    return true;
  } catch (e) {
    out.push({
      code: 'invalid-jsonpath',
      pointer,
      message: `${what} ${quote(path)} is not a valid JSONPath: ${(e as Error).message.replace(/^invalid JSONPath "(?:[^"\\]|\\.)*": /, '')}`,
      hint: 'write a simple path such as .spec.replicas or .status.conditions[0].type',
    });
    return false;
  }
}

function checkPrinterColumns(k: Rec, i: number, out: Finding[]): void {
  const names = new Set<string>();
  for (const [j, c] of records(k.printerColumns)) {
    checkPath(c.jsonPath, `/kinds/${i}/printerColumns/${j}/jsonPath`, 'printer column path', out);
    const name = str(c.name);
    if (name === undefined) continue;
    if (names.has(name)) {
      out.push({
        code: 'duplicate-column',
        pointer: `/kinds/${i}/printerColumns/${j}/name`,
        message: `printer column ${quote(name)} is defined twice`,
        hint: 'give every column its own name',
      });
    }
    names.add(name);
  }
}

/** Where scale paths may point (apiextensions validation: validateSimpleJSONPath and prefixes). */
function checkScale(k: Rec, i: number, out: Finding[]): void {
  const scale = isRecord(k.subresources) && isRecord(k.subresources.scale) ? k.subresources.scale : undefined;
  if (!scale) return;
  const rules: [string, string[]][] = [
    ['specReplicasPath', ['.spec.']],
    ['statusReplicasPath', ['.status.']],
    ['labelSelectorPath', ['.spec.', '.status.']],
  ];
  for (const [field, prefixes] of rules) {
    const pointer = `/kinds/${i}/subresources/scale/${field}`;
    const path = scale[field];
    if (!checkPath(path, pointer, field, out)) continue;
    const p = path as string;
    if (!prefixes.some((prefix) => p.startsWith(prefix) && p.length > prefix.length) || /[[\]{}*]/.test(p)) {
      out.push({
        code: 'invalid-scale-path',
        pointer,
        message: `${field} ${quote(p)} must be a simple path under ${prefixes.map((x) => x.slice(0, -1)).join(' or ')}`,
        hint: `use dotted field names only, e.g. ${field === 'specReplicasPath' ? '.spec.replicas' : field === 'statusReplicasPath' ? '.status.replicas' : '.status.selector'}`,
      });
    }
  }
}

function checkSelectableFields(k: Rec, i: number, out: Finding[]): void {
  const seen = new Set<string>();
  for (const [j, f] of records(k.selectableFields)) {
    const pointer = `/kinds/${i}/selectableFields/${j}/jsonPath`;
    if (!checkPath(f.jsonPath, pointer, 'selectable field', out)) continue;
    const p = f.jsonPath as string;
    if (seen.has(p)) {
      out.push({
        code: 'duplicate-selectable-field',
        pointer,
        message: `selectable field ${quote(p)} is listed twice`,
        hint: 'list each field once',
      });
    }
    seen.add(p);
  }
}
