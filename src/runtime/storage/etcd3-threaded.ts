// The etcd3 storage with its gRPC client in a worker thread (etcd3-worker.ts). This thread keeps
// only a proxy: each call is a small message, answered by the worker with the result; watch
// events arrive as messages too. Messages travel in batches, one postMessage per event-loop turn
// in each direction (protocol: etcd3-protocol.ts). Behaviour is the in-thread backend's
// (etcd3.ts), which the worker runs: the same conformance suite holds for both.
//
// If the worker dies, every call in flight fails `Unavailable` and every watch ends with
// `Unavailable` (a watch cache on top re-lists); calls fail the same way until a new worker has
// started, after a backoff of 100 ms doubling to 5 s.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Batcher, CLOSE, CLOSED, errorOf } from './etcd3-protocol.js';
import type { Etcd3WorkerData, FromWorker, ToWorker } from './etcd3-protocol.js';
import type { Etcd3StorageOptions } from './etcd3.js';
import { checkKey } from './common.js';
import { StorageError } from './interface.js';
import type { KeyValue, ListOptions, ListResult, Storage, StorageEvent, WatchHandlers, WatchOptions, Watcher } from './interface.js';
import { WatchHub } from './watch-hub.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: StorageError): void;
}

export function createThreadedEtcd3Storage(opts: Etcd3StorageOptions): Storage {
  return new ThreadedEtcd3Storage(opts);
}

/** The storage's current worker thread, for tests that need it to die. */
export const workerForTests = Symbol('etcd3 client worker (tests)');

const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 5000;

class ThreadedEtcd3Storage implements Storage {
  readonly backend = 'etcd3';
  private readonly workerData: Etcd3WorkerData;
  private worker!: Worker;
  private readonly out: Batcher<ToWorker>;
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new Map<number, ProxyWatch>();
  private nextId = 1;
  /** Calls in flight + open watches: the worker keeps the process alive only while > 0. */
  private active = 0;
  /** Why calls fail now: the worker is gone (until a new one starts) or the storage is closed. */
  private down?: StorageError;
  /** The current worker has exited. */
  private exited = false;
  private restartMs = RESTART_MIN_MS;
  private restartTimer?: NodeJS.Timeout;
  private closing?: Promise<void>;

  constructor(opts: Etcd3StorageOptions) {
    if (opts.endpoints.length === 0) throw new StorageError('Unavailable', 'etcd3 storage needs at least one endpoint');
    this.workerData = { options: { ...opts, endpoints: [...opts.endpoints] } };
    this.out = new Batcher((batch) => this.worker.postMessage(batch));
    this.spawn();
  }

  get [workerForTests](): Worker {
    return this.worker;
  }

  private spawn(): void {
    const worker = new Worker(workerEntry(), { workerData: this.workerData, execArgv: workerExecArgv() });
    worker.unref();
    this.worker = worker;
    this.exited = false;
    this.down = undefined;
    worker.on('message', (msg: readonly FromWorker[] | typeof CLOSED) => {
      if (msg === CLOSED || worker !== this.worker) return;
      this.restartMs = RESTART_MIN_MS; // it works
      this.receive(msg);
    });
    worker.on('error', (e) => this.lost(worker, `the etcd3 client thread failed: ${e.message}`));
    worker.on('exit', (code) => {
      if (worker === this.worker) this.exited = true;
      this.lost(worker, `the etcd3 client thread exited (code ${code})`);
    });
  }

  /** The worker is gone: fail what it had, and start another unless closing. */
  private lost(worker: Worker, message: string): void {
    if (worker !== this.worker || this.down) return;
    this.failAll(this.closing ? closedError() : new StorageError('Unavailable', `${message}; starting a new one`));
    if (this.closing) return;
    this.restartTimer = setTimeout(() => this.spawn(), this.restartMs);
    this.restartTimer.unref();
    this.restartMs = Math.min(this.restartMs * 2, RESTART_MAX_MS);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    checkKey(key);
    const rev = (await this.call(['create', 0, key, value])) as number;
    return { key, value, createRevision: rev, modRevision: rev };
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.call(['get', 0, key]) as Promise<KeyValue | undefined>;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const [createRevision, modRevision] = (await this.call(['update', 0, key, value, expectedModRevision])) as [number, number];
    return { key, value, createRevision, modRevision };
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.call(['delete', 0, key, expectedModRevision]) as Promise<KeyValue>;
  }

  list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    return this.call(['list', 0, prefix, opts.revision ?? 0, opts.limit ?? 0, opts.startAfter]) as Promise<ListResult>;
  }

  currentRevision(): Promise<number> {
    return this.call(['currentRevision', 0]) as Promise<number>;
  }

  compactedRevision(): Promise<number> {
    return this.call(['compactedRevision', 0]) as Promise<number>;
  }

  async compact(revision: number): Promise<void> {
    await this.call(['compact', 0, revision]);
  }

  async ping(): Promise<void> {
    await this.call(['ping', 0]);
  }

  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): Watcher {
    const refused = this.closing ? closedError() : this.down;
    if (refused) return WatchHub.failed(handlers, refused);
    const id = this.nextId++;
    const w = new ProxyWatch(handlers, () => {
      if (!this.watches.delete(id)) return false;
      this.release();
      return true;
    });
    this.watches.set(id, w);
    this.retain();
    this.out.push(['watch', id, prefix, opts.afterRevision, opts.previousKnown === true]);
    w.onStop = () => {
      if (this.down === undefined) this.out.push(['unwatch', id]);
    };
    return w;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.restartTimer);
    if (this.down === undefined) {
      this.out.flush();
      this.worker.ref();
      // The worker's storage cancels its watches and closes the client, then the worker exits
      // on its own (so --cpu-prof can write its profile); terminate() if it has not in 3 s.
      const exit = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      this.worker.postMessage(CLOSE);
      await Promise.race([exit, new Promise((r) => setTimeout(r, 3000).unref())]);
    }
    this.failAll(closedError());
    if (!this.exited) await this.worker.terminate();
  }

  /** Send one call; the `0` in slot 1 is replaced by the call id. */
  private call(msg: ToWorker): Promise<unknown> {
    if (this.closing) return Promise.reject(closedError());
    if (this.down) return Promise.reject(this.down);
    const id = this.nextId++;
    (msg as unknown as unknown[])[1] = id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.retain();
      this.out.push(msg);
    });
  }

  private receive(batch: readonly FromWorker[]): void {
    for (const m of batch) {
      switch (m[0]) {
        case 'ok':
        case 'err': {
          const p = this.pending.get(m[1]);
          if (!p) break;
          this.pending.delete(m[1]);
          this.release();
          if (m[0] === 'ok') p.resolve(m[2]);
          else p.reject(errorOf(m[2]));
          break;
        }
        case 'event':
          this.watches.get(m[1])?.deliver(m[2] as StorageEvent);
          break;
        case 'watchError':
          this.watches.get(m[1])?.fail(errorOf(m[2]));
          break;
      }
    }
  }

  /** Fail everything outstanding with `err` and refuse what comes (until a new worker starts). */
  private failAll(err: StorageError): void {
    if (this.down) return;
    this.down = err;
    this.out.discard(); // calls not yet sent: their callers are told below
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
    for (const w of [...this.watches.values()]) w.fail(err);
    this.active = 0;
    this.worker.unref();
  }

  private retain(): void {
    if (this.active++ === 0) this.worker.ref();
  }

  private release(): void {
    // While closing, the worker stays referenced until it has exited (shutdown()).
    if (--this.active === 0 && !this.closing) this.worker.unref();
  }
}

/** A watch whose events come from the worker. Handler failures end it, as in etcd3.ts. */
class ProxyWatch implements Watcher {
  onStop?: () => void;
  private done = false;

  constructor(
    private readonly handlers: WatchHandlers,
    /** Forget this watch in the proxy; false when it was already forgotten. */
    private readonly forget: () => boolean,
  ) {}

  deliver(event: StorageEvent): void {
    if (this.done) return;
    try {
      this.handlers.onEvent(event);
    } catch (e) {
      this.stop();
      const err = new StorageError('Internal', `watch handler failed: ${e instanceof Error ? e.message : String(e)}`);
      queueMicrotask(() => this.handlers.onError(err));
    }
  }

  fail(err: StorageError): void {
    if (this.done) return;
    this.done = true;
    this.forget();
    queueMicrotask(() => this.handlers.onError(err));
  }

  stop(): void {
    if (this.done) return;
    this.done = true;
    if (this.forget()) this.onStop?.();
  }
}

function closedError(): StorageError {
  return new StorageError('Unavailable', 'storage is closed');
}

/** The worker's module: the compiled .js next to this one, or the .ts when run from sources. */
function workerEntry(): URL {
  return new URL(fromSources() ? './etcd3-worker.ts' : './etcd3-worker.js', import.meta.url);
}

function fromSources(): boolean {
  return import.meta.url.endsWith('.ts');
}

/**
 * Run from TypeScript sources (tests under vitest), the worker gets a module loader that
 * transpiles .ts with the `typescript` package (a dev dependency; never used from dist/).
 */
function workerExecArgv(): string[] | undefined {
  if (!fromSources()) return undefined; // inherit this process's flags (e.g. --cpu-prof)
  const tsUrl = pathToFileURL(createRequire(import.meta.url).resolve('typescript')).href;
  const register =
    `import { register } from 'node:module';` +
    `register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(TS_LOADER))}, { data: { ts: ${JSON.stringify(tsUrl)} } });`;
  return ['--import', 'data:text/javascript,' + encodeURIComponent(register)];
}

/** ESM loader hooks: `./x.js` imported from a .ts module resolves to `./x.ts`; .ts is transpiled. */
const TS_LOADER = `
import { readFile } from 'node:fs/promises';
let ts;
export async function initialize(data) { ts = (await import(data.ts)).default; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL && context.parentURL.endsWith('.ts')) {
      return next(specifier.slice(0, -3) + '.ts', context);
    }
    throw e;
  }
}
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const out = ts.transpileModule(source, {
    fileName: url,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
`;
