// The etcd v3 API messages the etcd3 backend uses (etcd's api/etcdserverpb/rpc.proto and
// api/mvccpb/kv.proto, field numbers as there): requests as wire.ts fields, responses decoded
// straight from the received buffer into the few fields we read. Keys and values are UTF-8
// strings on our side.

import { Reader, WireError } from './wire.js';
import type { Field } from './wire.js';

export const KV_RANGE = '/etcdserverpb.KV/Range';
export const KV_PUT = '/etcdserverpb.KV/Put';
export const KV_TXN = '/etcdserverpb.KV/Txn';
export const KV_COMPACT = '/etcdserverpb.KV/Compact';
export const MAINTENANCE_STATUS = '/etcdserverpb.Maintenance/Status';
export const WATCH = '/etcdserverpb.Watch/Watch';

// ---- requests --------------------------------------------------------------------------------

export type Key = string | Buffer;

export interface RangeRequest {
  readonly key: Key;
  readonly rangeEnd?: Key;
  readonly limit?: number;
  readonly revision?: number;
  readonly keysOnly?: boolean;
}

export function rangeRequest(r: RangeRequest): Field[] {
  const f: Field[] = [[1, 'bytes', r.key]];
  if (r.rangeEnd !== undefined) f.push([2, 'bytes', r.rangeEnd]);
  if (r.limit) f.push([3, 'varint', r.limit]);
  if (r.revision) f.push([4, 'varint', r.revision]);
  if (r.keysOnly) f.push([8, 'varint', 1]);
  return f;
}

/** Compare: `target` of `key` `result` `value` (CompareTarget / CompareResult enums). */
export interface Compare {
  readonly key: Key;
  readonly target: 'create' | 'mod';
  readonly result: 'equal' | 'greater';
  readonly revision: number;
}

export interface PutRequest {
  readonly key: Key;
  readonly value: string | Buffer;
  readonly prevKv?: boolean;
}

export function putRequest(p: PutRequest): Field[] {
  const f: Field[] = [
    [1, 'bytes', p.key],
    [2, 'bytes', p.value],
  ];
  if (p.prevKv) f.push([4, 'varint', 1]);
  return f;
}

export type RequestOp =
  | { readonly range: RangeRequest }
  | { readonly put: PutRequest }
  | { readonly deleteRange: { readonly key: Key; readonly prevKv?: boolean } };

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly RequestOp[];
  readonly failure: readonly RequestOp[];
}

const COMPARE_RESULT = { equal: 0, greater: 1 } as const;
const COMPARE_TARGET = { create: 1, mod: 2 } as const;

export function txnRequest(t: TxnRequest): Field[] {
  const f: Field[] = [];
  for (const c of t.compare) {
    f.push([
      1,
      'message',
      [
        [1, 'varint', COMPARE_RESULT[c.result]],
        [2, 'varint', COMPARE_TARGET[c.target]],
        [3, 'bytes', c.key],
        // target_union is a oneof: written even when 0, so the chosen member is set.
        [c.target === 'create' ? 5 : 6, 'varint', c.revision],
      ],
    ]);
  }
  for (const op of t.success) f.push([2, 'message', requestOp(op)]);
  for (const op of t.failure) f.push([3, 'message', requestOp(op)]);
  return f;
}

function requestOp(op: RequestOp): Field[] {
  if ('range' in op) return [[1, 'message', rangeRequest(op.range)]];
  if ('put' in op) return [[2, 'message', putRequest(op.put)]];
  const del: Field[] = [[1, 'bytes', op.deleteRange.key]];
  if (op.deleteRange.prevKv) del.push([3, 'varint', 1]);
  return [[3, 'message', del]];
}

export function compactionRequest(revision: number, physical: boolean): Field[] {
  return physical
    ? [
        [1, 'varint', revision],
        [2, 'varint', 1],
      ]
    : [[1, 'varint', revision]];
}

export function watchCreateRequest(key: Key, rangeEnd: Key, startRevision: number, prevKv: boolean): Field[] {
  const create: Field[] = [
    [1, 'bytes', key],
    [2, 'bytes', rangeEnd],
    [3, 'varint', startRevision],
  ];
  if (prevKv) create.push([6, 'varint', 1]);
  return [[1, 'message', create]];
}

// ---- responses -------------------------------------------------------------------------------

export interface KeyValue {
  readonly key: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  readonly value: string;
}

export interface RangeResponse {
  readonly revision: number;
  readonly kvs: KeyValue[];
  readonly more: boolean;
  readonly count: number;
}

export interface ResponseOp {
  readonly range?: RangeResponse;
  readonly put?: { readonly prevKv?: KeyValue };
  readonly deleteRange?: { readonly prevKvs: KeyValue[] };
}

export interface TxnResponse {
  readonly revision: number;
  readonly succeeded: boolean;
  readonly responses: ResponseOp[];
}

export interface WatchEvent {
  readonly type: 'put' | 'delete';
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}

export interface WatchResponse {
  readonly watchId: number;
  readonly created: boolean;
  readonly canceled: boolean;
  readonly compactRevision: number;
  readonly cancelReason: string;
  readonly events: WatchEvent[];
}

/** A ResponseHeader's revision (field 3); cluster/member ids and raft term are skipped. */
function header(r: Reader, end: number): number {
  let revision = 0;
  while (r.pos < end) {
    const key = r.varint();
    if (key === ((3 << 3) | 0)) revision = r.varint();
    else r.skip(key);
  }
  return revision;
}

function keyValue(r: Reader, end: number): KeyValue {
  let key = '';
  let value = '';
  let createRevision = 0;
  let modRevision = 0;
  let version = 0;
  while (r.pos < end) {
    const k = r.varint();
    switch (k) {
      case (1 << 3) | 2:
        key = r.string();
        break;
      case (2 << 3) | 0:
        createRevision = r.varint();
        break;
      case (3 << 3) | 0:
        modRevision = r.varint();
        break;
      case (4 << 3) | 0:
        version = r.varint();
        break;
      case (5 << 3) | 2:
        value = r.string();
        break;
      default:
        r.skip(k);
    }
  }
  return { key, createRevision, modRevision, version, value };
}

export function decodeRangeResponse(buf: Buffer, start: number, end: number): RangeResponse {
  return rangeResponse(new Reader(buf, start), end);
}

function rangeResponse(r: Reader, end: number): RangeResponse {
  let revision = 0;
  const kvs: KeyValue[] = [];
  let more = false;
  let count = 0;
  while (r.pos < end) {
    const k = r.varint();
    switch (k) {
      case (1 << 3) | 2:
        revision = sub(r, header);
        break;
      case (2 << 3) | 2:
        kvs.push(sub(r, keyValue));
        break;
      case (3 << 3) | 0:
        more = r.bool();
        break;
      case (4 << 3) | 0:
        count = r.varint();
        break;
      default:
        r.skip(k);
    }
  }
  return { revision, kvs, more, count };
}

export function decodeTxnResponse(buf: Buffer, start: number, end: number): TxnResponse {
  const r = new Reader(buf, start);
  let revision = 0;
  let succeeded = false;
  const responses: ResponseOp[] = [];
  while (r.pos < end) {
    const k = r.varint();
    switch (k) {
      case (1 << 3) | 2:
        revision = sub(r, header);
        break;
      case (2 << 3) | 0:
        succeeded = r.bool();
        break;
      case (3 << 3) | 2:
        responses.push(sub(r, responseOp));
        break;
      default:
        r.skip(k);
    }
  }
  return { revision, succeeded, responses };
}

function responseOp(r: Reader, end: number): ResponseOp {
  let op: ResponseOp = {};
  while (r.pos < end) {
    const k = r.varint();
    switch (k) {
      case (1 << 3) | 2:
        op = { range: sub(r, rangeResponse) };
        break;
      case (2 << 3) | 2:
        op = { put: sub(r, putResponse) };
        break;
      case (3 << 3) | 2:
        op = { deleteRange: sub(r, deleteRangeResponse) };
        break;
      default:
        r.skip(k);
    }
  }
  return op;
}

function putResponse(r: Reader, end: number): { prevKv?: KeyValue } {
  let prevKv: KeyValue | undefined;
  while (r.pos < end) {
    const k = r.varint();
    if (k === ((2 << 3) | 2)) prevKv = sub(r, keyValue);
    else r.skip(k);
  }
  return prevKv ? { prevKv } : {};
}

function deleteRangeResponse(r: Reader, end: number): { prevKvs: KeyValue[] } {
  const prevKvs: KeyValue[] = [];
  while (r.pos < end) {
    const k = r.varint();
    if (k === ((3 << 3) | 2)) prevKvs.push(sub(r, keyValue));
    else r.skip(k);
  }
  return { prevKvs };
}

/** A ResponseHeader-only response (Compact, Status): its revision. */
export function decodeHeaderOnly(buf: Buffer, start: number, end: number): number {
  const r = new Reader(buf, start);
  let revision = 0;
  while (r.pos < end) {
    const k = r.varint();
    if (k === ((1 << 3) | 2)) revision = sub(r, header);
    else r.skip(k);
  }
  return revision;
}

export function decodeWatchResponse(buf: Buffer, start: number, end: number): WatchResponse {
  const r = new Reader(buf, start);
  let watchId = 0;
  let created = false;
  let canceled = false;
  let compactRevision = 0;
  let cancelReason = '';
  const events: WatchEvent[] = [];
  while (r.pos < end) {
    const k = r.varint();
    switch (k) {
      case (2 << 3) | 0:
        watchId = r.varint();
        break;
      case (3 << 3) | 0:
        created = r.bool();
        break;
      case (4 << 3) | 0:
        canceled = r.bool();
        break;
      case (5 << 3) | 0:
        compactRevision = r.varint();
        break;
      case (6 << 3) | 2:
        cancelReason = r.string();
        break;
      case (11 << 3) | 2:
        events.push(sub(r, watchEvent));
        break;
      default:
        r.skip(k);
    }
  }
  return { watchId, created, canceled, compactRevision, cancelReason, events };
}

function watchEvent(r: Reader, end: number): WatchEvent {
  let type: 'put' | 'delete' = 'put';
  let kv: KeyValue | undefined;
  let prevKv: KeyValue | undefined;
  while (r.pos < end) {
    const k = r.varint();
    switch (k) {
      case (1 << 3) | 0:
        type = r.varint() === 1 ? 'delete' : 'put';
        break;
      case (2 << 3) | 2:
        kv = sub(r, keyValue);
        break;
      case (3 << 3) | 2:
        prevKv = sub(r, keyValue);
        break;
      default:
        r.skip(k);
    }
  }
  const event = { type, kv: kv ?? { key: '', createRevision: 0, modRevision: 0, version: 0, value: '' } };
  return prevKv ? { ...event, prevKv } : event;
}

/** Decode the nested message in the length-delimited field whose key was just read. */
function sub<T>(r: Reader, decode: (r: Reader, end: number) => T): T {
  const len = r.varint();
  const end = r.pos + len;
  if (end > r.buf.length) throw new WireError('nested message runs past the message');
  const result = decode(r, end);
  r.pos = end;
  return result;
}
