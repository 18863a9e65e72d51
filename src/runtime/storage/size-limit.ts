// The largest object a backend stores, as etcd caps every request (etcd --max-request-bytes,
// 1.5 MiB by default): the same limit on every backend, so an object written on sqlite or in
// memory can also be written to etcd, and one write cannot fill the store.
import { StorageError, type Storage } from './interface.js';

/** etcd's default --max-request-bytes. */
export const defaultMaxObjectBytes = 1536 * 1024;

/** `storage` with create and update refusing values over `maxBytes` (code `ValueTooLarge`). */
export function withObjectSizeLimit(storage: Storage, maxBytes: number): Storage {
  const check = (key: string, value: string): void => {
    // Cheap first: a UTF-8 string has at least as many bytes as UTF-16 code units.
    if (value.length <= maxBytes / 3) return;
    const size = Buffer.byteLength(value);
    if (size > maxBytes) {
      throw new StorageError('ValueTooLarge', `the object is ${size} bytes when stored, more than the limit of ${maxBytes} bytes`, { key });
    }
  };
  return {
    get backend() {
      return storage.backend;
    },
    async create(key, value) {
      check(key, value);
      return storage.create(key, value);
    },
    async update(key, value, expectedModRevision) {
      check(key, value);
      return storage.update(key, value, expectedModRevision);
    },
    get: (key) => storage.get(key),
    delete: (key, expectedModRevision) => storage.delete(key, expectedModRevision),
    list: (prefix, opts) => storage.list(prefix, opts),
    watch: (prefix, opts, handlers) => storage.watch(prefix, opts, handlers),
    currentRevision: () => storage.currentRevision(),
    compactedRevision: () => storage.compactedRevision(),
    compact: (revision) => storage.compact(revision),
    ping: () => storage.ping(),
    close: () => storage.close(),
  };
}
