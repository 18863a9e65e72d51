// The watch wire format read back (API-CONTRACT 4; k8s.io/apimachinery pkg/apis/meta/v1/watch.go):
// one JSON object `{"type","object"}` per line. Lines may be split across chunks anywhere (even
// inside a UTF-8 sequence). An ERROR event ends the iteration with the typed error of its
// Status (ExpiredError for 410); the end of the stream ends it cleanly.
import type { ObjectMeta } from '../api.js';
import type { Status } from '../errors.js';
import { ClientError, errorFromStatus } from './errors.js';

/** The object of a BOOKMARK event: only apiVersion, kind and metadata.resourceVersion are set. */
export interface Bookmark {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Pick<ObjectMeta, 'resourceVersion' | 'annotations'>;
}

export type TypedWatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly object: Bookmark };

const objectTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

function decodeLine<T>(line: string): TypedWatchEvent<T> {
  let raw: { type?: unknown; object?: unknown };
  try {
    raw = JSON.parse(line) as typeof raw;
  } catch {
    throw new ClientError('Decode', `watch: the server sent a line that is not JSON: ${line.slice(0, 200)}`);
  }
  if (raw === null || typeof raw !== 'object' || typeof raw.type !== 'string') {
    throw new ClientError('Decode', `watch: the server sent an event without a type: ${line.slice(0, 200)}`);
  }
  if (raw.type === 'ERROR') {
    const s = (raw.object ?? {}) as Partial<Status>;
    throw errorFromStatus({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      ...s,
      code: typeof s.code === 'number' ? s.code : 500,
    } as Status);
  }
  if (!objectTypes.has(raw.type) || raw.object === null || typeof raw.object !== 'object') {
    throw new ClientError('Decode', `watch: unknown event type ${JSON.stringify(raw.type)}`);
  }
  return raw as TypedWatchEvent<T>;
}

/**
 * Parses a watch response body into events. Ends when the body ends; throws the typed error of
 * an ERROR event, or ClientError('Decode') for a line that is not an event (including a
 * truncated last line: the connection broke mid-event).
 */
export async function* parseWatchEvents<T>(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<TypedWatchEvent<T>, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') yield decodeLine<T>(line);
    }
  }
  const rest = (pending + decoder.decode()).trim();
  if (rest !== '') yield decodeLine<T>(rest);
}
