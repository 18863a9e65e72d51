// Query parameters of resource requests, parsed and validated as k8s.io/apimachinery does
// (pkg/apis/meta/v1/types.go options; pkg/apis/meta/v1/validation/validation.go for
// Create/Update/PatchOptions; pkg/apis/meta/internalversion/validation/validation.go for
// ListOptions). Invalid options are 422 Invalid with details {group: meta.k8s.io, kind: <Options>}.
import type { FieldError } from '../api.js';
import { errors } from '../errors.js';
import type { DeleteOptions, FieldValidation, ListQuery, Preconditions, WatchQuery } from '../registry/interface.js';

/** A parsed query string: repeated keys arrive as arrays (`dryRun=All&dryRun=All`). */
export type RawQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

const metaGroup = 'meta.k8s.io';

function values(q: RawQuery, key: string): readonly string[] {
  const v = q[key];
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

/** The first value, as url.Values.Get does. */
function first(q: RawQuery, key: string): string | undefined {
  return values(q, key)[0];
}

/**
 * A boolean as apimachinery's query conversion reads it (Convert_Slice_string_To_bool):
 * absent -> undefined; "0" or "false" (any case) -> false; anything else, even "", -> true.
 */
export function queryBool(q: RawQuery, key: string): boolean | undefined {
  const v = first(q, key);
  if (v === undefined) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** An integer parameter; anything not an integer is 400 BadRequest. */
export function queryInt(q: RawQuery, key: string): number | undefined {
  const v = first(q, key);
  if (v === undefined || v === '') return undefined;
  if (!/^[-+]?\d+$/.test(v)) throw errors.badRequest(`invalid value for ${key}: ${JSON.stringify(v)}: not an integer`);
  return Number(v);
}

function invalid(kind: string, errs: FieldError[]): never {
  throw errors.invalid(metaGroup, kind, '', errs);
}

export type IncludeObject = 'Metadata' | 'Object' | 'None';

export interface ReadOptions {
  readonly watch: boolean;
  readonly list: ListQuery;
  readonly watchQuery: WatchQuery;
  readonly timeoutSeconds?: number;
  readonly includeObject: IncludeObject;
}

/** List and watch options (ListOptions), validated as kube validates them. */
export function parseReadOptions(q: RawQuery): ReadOptions {
  const watch = queryBool(q, 'watch') ?? false;
  const labelSelector = first(q, 'labelSelector') || undefined;
  const fieldSelector = first(q, 'fieldSelector') || undefined;
  const resourceVersion = first(q, 'resourceVersion') || undefined;
  const match = first(q, 'resourceVersionMatch') || undefined;
  const cont = first(q, 'continue') || undefined;
  const sendInitialEvents = queryBool(q, 'sendInitialEvents');
  const limit = queryInt(q, 'limit');
  const timeoutSeconds = queryInt(q, 'timeoutSeconds');
  const allowWatchBookmarks = queryBool(q, 'allowWatchBookmarks') ?? false;

  const errs: FieldError[] = [];
  const forbid = (field: string, detail: string) => errs.push({ type: 'FieldValueForbidden', field, detail });
  if (watch) {
    // Watch-list (KEP-3157) is served: kube's rules with the WatchList feature gate on.
    if (sendInitialEvents !== undefined && match !== 'NotOlderThan') {
      forbid('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    if (match !== undefined) {
      if (sendInitialEvents === undefined) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
      if (match !== 'NotOlderThan') {
        errs.push({ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', value: match, detail: 'supported values: "NotOlderThan"' });
      }
      if (cont) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    }
  } else {
    if (match !== undefined) {
      if (!resourceVersion) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
      if (cont) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
      if (match !== 'Exact' && match !== 'NotOlderThan') {
        errs.push({ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', value: match, detail: 'supported values: "Exact", "NotOlderThan", ""' });
      }
      if (match === 'Exact' && resourceVersion === '0') forbid('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    }
    if (sendInitialEvents !== undefined) forbid('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  }
  if (errs.length > 0) invalid('ListOptions', errs);

  const includeObject = first(q, 'includeObject') || 'Metadata';
  if (includeObject !== 'Metadata' && includeObject !== 'Object' && includeObject !== 'None') {
    // pkg/apis/meta/v1/validation ValidateTableOptions; the handler answers 400.
    throw errors.badRequest(
      `unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(includeObject)}: must be 'Metadata', 'Object', 'None', or empty`,
    );
  }

  const rvMatch = match === 'Exact' || match === 'NotOlderThan' ? match : undefined;
  return {
    watch,
    list: { labelSelector, fieldSelector, limit: limit && limit > 0 ? limit : undefined, continue: cont, resourceVersion, resourceVersionMatch: rvMatch },
    watchQuery: { labelSelector, fieldSelector, resourceVersion, allowWatchBookmarks, sendInitialEvents, resourceVersionMatch: match },
    timeoutSeconds: timeoutSeconds !== undefined && timeoutSeconds > 0 ? timeoutSeconds : undefined,
    includeObject,
  };
}

/** GetOptions: only resourceVersion matters. */
export function parseGetOptions(q: RawQuery): { resourceVersion?: string } {
  const rv = first(q, 'resourceVersion');
  return rv ? { resourceVersion: rv } : {};
}

export interface WriteOptions {
  readonly dryRun: boolean;
  readonly fieldManager?: string;
  readonly fieldValidation: FieldValidation;
  readonly force: boolean;
}

export type WriteOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

const fieldManagerMaxLength = 128;

function validateDryRun(dryRun: readonly string[], errs: FieldError[]): void {
  if (dryRun.some((v) => v !== 'All')) {
    errs.push({ type: 'FieldValueNotSupported', field: 'dryRun', value: dryRun, detail: 'supported values: "All"' });
  }
}

/** Printable as Go's unicode.IsPrint: no control, format, surrogate or unassigned characters, and no space but U+0020. */
function nonPrintable(s: string): { char: string; at: number } | undefined {
  let at = 0;
  for (const ch of s) {
    if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) return { char: ch, at };
    at += Buffer.byteLength(ch);
  }
  return undefined;
}

function validateFieldManager(fm: string, errs: FieldError[]): void {
  if (fm.length > fieldManagerMaxLength) {
    errs.push({ type: 'FieldValueTooLong', field: 'fieldManager', value: fm, detail: `may not be more than ${fieldManagerMaxLength} bytes` });
  }
  const bad = nonPrintable(fm);
  if (bad) {
    const cp = bad.char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    errs.push({ type: 'FieldValueInvalid', field: 'fieldManager', value: fm, detail: `invalid character U+${cp} (at position ${bad.at})` });
  }
}

/**
 * dryRun, fieldManager, fieldValidation and force for create, update and patch. An absent
 * fieldValidation means Warn: that is kube-apiserver's default (handlers/rest.go fieldValidation()).
 */
export function parseWriteOptions(q: RawQuery, kind: WriteOptionsKind, isApply = false): WriteOptions {
  const dryRun = values(q, 'dryRun');
  const fieldManager = first(q, 'fieldManager') ?? '';
  const fieldValidation = first(q, 'fieldValidation') ?? '';
  const force = queryBool(q, 'force');
  const errs: FieldError[] = [];
  if (kind === 'PatchOptions') {
    if (!isApply && force !== undefined) errs.push({ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' });
    if (isApply && fieldManager === '') errs.push({ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' });
  }
  validateFieldManager(fieldManager, errs);
  validateDryRun(dryRun, errs);
  if (fieldValidation !== '' && fieldValidation !== 'Ignore' && fieldValidation !== 'Warn' && fieldValidation !== 'Strict') {
    errs.push({ type: 'FieldValueNotSupported', field: 'fieldValidation', value: fieldValidation, detail: 'supported values: "Ignore", "Strict", "Warn"' });
  }
  if (errs.length > 0) invalid(kind, errs);
  return {
    dryRun: dryRun.length > 0,
    fieldManager: fieldManager || undefined,
    fieldValidation: (fieldValidation || 'Warn') as FieldValidation,
    force: force ?? false,
  };
}

export interface ParsedDeleteOptions {
  readonly dryRun: boolean;
  readonly options: DeleteOptions;
}

const propagationPolicies = ['Orphan', 'Background', 'Foreground'] as const;

/**
 * DeleteOptions from the body (JSON, with or without kind/apiVersion; apiVersion `v1`,
 * `meta.k8s.io/v1` or the endpoint's group/version) merged with the query parameters, as
 * k8s.io/apiserver pkg/endpoints/handlers/delete.go does: the body wins when both are given.
 */
export function parseDeleteOptions(q: RawQuery, body: unknown, groupVersion: string): ParsedDeleteOptions {
  let b: Record<string, unknown> = {};
  if (body !== undefined && body !== null) {
    if (typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the body of a delete request must be a DeleteOptions object');
    b = body as Record<string, unknown>;
    const apiVersion = b['apiVersion'];
    const kind = b['kind'];
    if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== 'v1' && apiVersion !== 'meta.k8s.io/v1' && apiVersion !== groupVersion) {
      throw errors.badRequest(`no kind "${String(kind ?? 'DeleteOptions')}" is registered for version "${String(apiVersion)}"`);
    }
    if (kind !== undefined && kind !== '' && kind !== 'DeleteOptions') {
      throw errors.badRequest(`no kind "${String(kind)}" is registered for version "${String(apiVersion ?? 'v1')}"`);
    }
  }

  const errs: FieldError[] = [];
  const dryRun = Array.isArray(b['dryRun']) ? (b['dryRun'] as unknown[]).map(String) : [...values(q, 'dryRun')];
  const grace = typeof b['gracePeriodSeconds'] === 'number' ? (b['gracePeriodSeconds'] as number) : queryInt(q, 'gracePeriodSeconds');
  const policy = typeof b['propagationPolicy'] === 'string' ? (b['propagationPolicy'] as string) : first(q, 'propagationPolicy');
  const orphan = typeof b['orphanDependents'] === 'boolean' ? (b['orphanDependents'] as boolean) : queryBool(q, 'orphanDependents');
  if (orphan !== undefined && policy !== undefined) {
    errs.push({ type: 'FieldValueInvalid', field: 'propagationPolicy', value: policy, detail: 'orphanDependents and deletionPropagation cannot be both set' });
  }
  if (policy !== undefined && !(propagationPolicies as readonly string[]).includes(policy)) {
    errs.push({ type: 'FieldValueNotSupported', field: 'propagationPolicy', value: policy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' });
  }
  validateDryRun(dryRun, errs);
  if (errs.length > 0) invalid('DeleteOptions', errs);

  let preconditions: Preconditions | undefined;
  const pre = b['preconditions'];
  if (pre && typeof pre === 'object') {
    const p = pre as Record<string, unknown>;
    preconditions = {
      ...(typeof p['uid'] === 'string' ? { uid: p['uid'] } : {}),
      ...(typeof p['resourceVersion'] === 'string' ? { resourceVersion: p['resourceVersion'] } : {}),
    };
  }
  const propagationPolicy = (policy as DeleteOptions['propagationPolicy']) ?? (orphan === true ? 'Orphan' : orphan === false ? 'Background' : undefined);
  return {
    dryRun: dryRun.length > 0,
    options: {
      ...(preconditions ? { preconditions } : {}),
      ...(propagationPolicy ? { propagationPolicy } : {}),
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    },
  };
}
