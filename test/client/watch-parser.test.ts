// The watch wire format read back (API-CONTRACT 4.1, 4.2, 4.5; k8s.io/apimachinery
// pkg/apis/meta/v1/watch.go): newline-delimited JSON split anywhere by the transport.
import { describe, expect, test } from 'vitest';
import { ApiError, ClientError, ExpiredError, isExpired, parseWatchEvents, type TypedWatchEvent } from '../../src/runtime/client/index.js';

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array | string> {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p) : p;
}

async function collect(body: AsyncIterable<Uint8Array | string>): Promise<TypedWatchEvent<{ metadata: { name?: string; resourceVersion?: string } }>[]> {
  const out = [];
  for await (const e of parseWatchEvents<{ metadata: { name?: string; resourceVersion?: string } }>(body)) out.push(e);
  return out;
}

const nameOf = (e: TypedWatchEvent<unknown>) => (e.object as { metadata: { name?: string } }).metadata.name;

const line = (type: string, name: string, rv: string) =>
  JSON.stringify({ type, object: { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name, resourceVersion: rv } } }) + '\n';

describe('parseWatchEvents', () => {
  test('events in order, several per chunk and lines split across chunks', async () => {
    const text = line('ADDED', 'a', '1') + line('MODIFIED', 'a', '2') + line('DELETED', 'a', '3');
    // Split every 7 bytes: every line crosses chunk boundaries.
    const parts: string[] = [];
    for (let i = 0; i < text.length; i += 7) parts.push(text.slice(i, i + 7));
    const events = await collect(chunks(...parts));
    expect(events.map((e) => [e.type, e.object.metadata.resourceVersion])).toEqual([
      ['ADDED', '1'],
      ['MODIFIED', '2'],
      ['DELETED', '3'],
    ]);
  });

  test('a multi-byte UTF-8 character split between chunks survives', async () => {
    const bytes = Buffer.from(line('ADDED', 'a', '1').replace('"a"', '"ä—🦆"'));
    const at = bytes.indexOf(Buffer.from('🦆')) + 2; // inside the 4-byte sequence
    const events = await collect(chunks(bytes.subarray(0, at), bytes.subarray(at)));
    expect(nameOf(events[0]!)).toBe('ä—🦆');
  });

  test('blank lines and CRLF are tolerated', async () => {
    const events = await collect(chunks('\n' + line('ADDED', 'a', '1').replace('\n', '\r\n') + '\n\n'));
    expect(events).toHaveLength(1);
  });

  test('BOOKMARK events carry only the resourceVersion', async () => {
    const bookmark = JSON.stringify({ type: 'BOOKMARK', object: { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { resourceVersion: '42' } } });
    const events = await collect(chunks(line('ADDED', 'a', '1'), bookmark + '\n'));
    expect(events[1]).toEqual({ type: 'BOOKMARK', object: { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { resourceVersion: '42' } } });
  });

  test('the end of the stream ends the iteration cleanly, a last line without newline included', async () => {
    const events = await collect(chunks(line('ADDED', 'a', '1'), line('ADDED', 'b', '2').trimEnd()));
    expect(events.map(nameOf)).toEqual(['a', 'b']);
    expect(await collect(chunks())).toEqual([]);
  });

  test('ERROR with a 410 Status (cacher newErrWatcher) throws ExpiredError after the events before it', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (5)', reason: 'Expired', code: 410 };
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of parseWatchEvents<{ metadata: { name: string } }>(chunks(line('ADDED', 'a', '6'), JSON.stringify({ type: 'ERROR', object: status }) + '\n', line('ADDED', 'never', '7')))) {
        seen.push(nameOf(e) ?? '');
      }
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['a']);
    expect(err).toBeInstanceOf(ExpiredError);
    expect(isExpired(err)).toBe(true);
    expect((err as ExpiredError).message).toBe('too old resource version: 1 (5)');
    expect((err as ExpiredError).code).toBe(410);
  });

  test('ERROR with another Status throws its ApiError (not Expired)', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'boom', reason: 'InternalError', code: 500 };
    const err = await collect(chunks(JSON.stringify({ type: 'ERROR', object: status }) + '\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).not.toBeInstanceOf(ExpiredError);
    expect((err as ApiError).reason).toBe('InternalError');
  });

  test('a truncated or non-JSON line is a Decode ClientError', async () => {
    const truncated = await collect(chunks(line('ADDED', 'a', '1'), '{"type":"ADDED","obj')).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(ClientError);
    expect((truncated as ClientError).code).toBe('Decode');
    const unknownType = await collect(chunks('{"type":"WHAT","object":{}}\n')).catch((e: unknown) => e);
    expect((unknownType as ClientError).code).toBe('Decode');
  });
});
