// Worker-thread entry: runs the etcd3 storage (its gRPC client, etcd/grpc.ts, in this thread)
// for a proxy on the server thread (etcd3-threaded.ts). The gRPC/http2/protobuf work of every
// call and watch event happens here, off the thread that serves HTTPS. Calls are answered and
// events forwarded in batches, one postMessage per event-loop turn.

import { parentPort, workerData } from 'node:worker_threads';
import { createEtcd3Storage } from './etcd3.js';
import { Batcher, CLOSE, CLOSED, errorTuple } from './etcd3-protocol.js';
import type { Etcd3WorkerData, FromWorker, ToWorker } from './etcd3-protocol.js';
import type { Watcher } from './interface.js';

const port = parentPort;
if (!port) throw new Error('etcd3-worker must run in a worker thread');

const { options } = workerData as Etcd3WorkerData;
const storage = createEtcd3Storage({ ...options, clientThread: 'main' });
const watches = new Map<number, Watcher>();
const out = new Batcher<FromWorker>((batch) => port.postMessage(batch));

function answer(id: number, p: Promise<unknown>): void {
  p.then(
    (result) => out.push(['ok', id, result]),
    (e: unknown) => out.push(['err', id, errorTuple(e)]),
  );
}

function handle(m: ToWorker): void {
  switch (m[0]) {
    case 'create':
      answer(m[1], storage.create(m[2], m[3]).then((kv) => kv.modRevision));
      return;
    case 'get':
      answer(m[1], storage.get(m[2]));
      return;
    case 'update':
      answer(m[1], storage.update(m[2], m[3], m[4]).then((kv) => [kv.createRevision, kv.modRevision]));
      return;
    case 'delete':
      answer(m[1], storage.delete(m[2], m[3]));
      return;
    case 'list':
      answer(m[1], storage.list(m[2], { revision: m[3], limit: m[4], startAfter: m[5] }));
      return;
    case 'currentRevision':
      answer(m[1], storage.currentRevision());
      return;
    case 'compactedRevision':
      answer(m[1], storage.compactedRevision());
      return;
    case 'ping':
      answer(m[1], storage.ping());
      return;
    case 'compact':
      answer(m[1], storage.compact(m[2]));
      return;
    case 'watch': {
      const watchId = m[1];
      const w = storage.watch(m[2], { afterRevision: m[3], previousKnown: m[4] }, {
        onEvent: (event) => out.push(['event', watchId, event]),
        onError: (err) => {
          watches.delete(watchId);
          out.push(['watchError', watchId, errorTuple(err)]);
        },
      });
      watches.set(watchId, w);
      return;
    }
    case 'unwatch':
      watches.get(m[1])?.stop();
      watches.delete(m[1]);
      return;
  }
}

port.on('message', (msg: readonly ToWorker[] | typeof CLOSE) => {
  if (msg === CLOSE) {
    void storage.close().finally(() => {
      out.flush();
      port.postMessage(CLOSED);
      // Exit by running out of work rather than by terminate(), so --cpu-prof writes this thread's profile.
      port.close();
    });
    return;
  }
  for (const m of msg) handle(m);
});
