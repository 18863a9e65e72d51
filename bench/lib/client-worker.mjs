// The load side of every benchmark, run in a worker thread so that the server under test
// keeps the main thread's event loop to itself. Tasks arrive as messages {id, task} and are
// answered {id, result} or {id, error}. Tasks:
//   http-load  keep-alive HTTPS requests from N concurrent loops for a fixed time
//   etcd-load  raw etcd3 puts (or create-if-absent transactions) from N concurrent loops
//   watch      open N watch streams, make updates, time each event's arrival per watcher
import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

const tasks = { 'http-load': httpLoad, 'etcd-load': etcdLoad, watch: watchFanout };

const probes = new Map();
let nextProbe = 0;
/** Asks the main (server) thread for its event-loop active time so far, in ms. */
function serverActiveMs() {
  const probe = nextProbe++;
  return new Promise((resolve) => {
    probes.set(probe, resolve);
    parentPort.postMessage({ probe });
  });
}

parentPort.on('message', async ({ id, task, probeAck, active }) => {
  if (probeAck !== undefined) {
    probes.get(probeAck)(active);
    probes.delete(probeAck);
    return;
  }
  try {
    const before = performance.eventLoopUtilization();
    const result = await tasks[task.kind](task);
    // How busy this (the load) thread was: near 1 means the client may be what limits the rate.
    result.loadElu = performance.eventLoopUtilization(before).utilization;
    parentPort.postMessage({ id, result });
  } catch (e) {
    parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});

/** One request; resolves {status, body, ms}. */
function send(agent, url, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url + path, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

function tlsAgent(t, maxSockets) {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca: t.ca, cert: t.cert, key: t.key });
}

/**
 * Runs `concurrency` loops of requests for warmupMs (not counted), then durationMs (counted).
 * Each loop owns one keep-alive TLS connection and speaks minimal HTTP/1.1 on it (a request
 * written from a template, responses framed by Content-Length): node:https's client costs more
 * CPU per request than a fastify server, and on a 2-core machine the load generator must not be
 * what limits the baseline. `body` may contain `{{name}}`, replaced by a name unique in this task.
 */
async function httpLoad(t) {
  const { hostname, port } = new URL(t.url);
  const method = t.method ?? 'GET';
  const expect = t.expectStatus ?? 200;
  const extra = Object.entries({ accept: 'application/json', ...(t.headers ?? {}) }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const head = `${method} ${t.path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n${extra}`;
  const fixed = t.body === undefined ? Buffer.from(head + '\r\n') : undefined;
  let n = 0;
  let done = 0;
  let errors = 0;
  let firstError;
  const latencies = [];
  let measureFrom = Infinity;
  let end = Infinity;

  function requestBytes() {
    if (fixed) return fixed;
    const body = Buffer.from(t.body.replaceAll('{{name}}', `${t.namePrefix ?? 'x'}${n++}`));
    return Buffer.concat([Buffer.from(`${head}content-length: ${body.length}\r\n\r\n`), body]);
  }

  async function loop() {
    const conn = await openConnection(hostname, Number(port), t);
    try {
      while (performance.now() < end) {
        const t0 = performance.now();
        const r = await conn.exchange(requestBytes());
        const at = performance.now();
        if (r.status !== expect) {
          errors++;
          firstError ??= `${r.status} ${r.body.slice(0, 300)}`;
          if (errors > 100) throw new Error(`too many errors; first: ${firstError}`);
        } else if (at >= measureFrom && at <= end) {
          done++;
          latencies.push(at - t0);
        }
      }
    } finally {
      conn.close();
    }
  }
  // Connect every loop first, then start the clock: handshakes are not part of the rate.
  const loops = [];
  let startClock;
  const started = new Promise((r) => (startClock = r));
  for (let i = 0; i < t.concurrency; i++) loops.push(started.then(loop));
  measureFrom = performance.now() + t.warmupMs;
  end = measureFrom + t.durationMs;
  startClock();
  await Promise.all(loops);
  return summarize({ done, errors, firstError, seconds: t.durationMs / 1000, latencies });
}

/** A TLS connection with `exchange(request) -> {status, body}`, one request at a time. */
function openConnection(host, port, t) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ca: t.ca, cert: t.cert, key: t.key, servername: host === '127.0.0.1' ? undefined : host });
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let waiting;
    socket.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!waiting) return;
      const headerEnd = buf.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const headers = buf.subarray(0, headerEnd).toString('latin1');
      const m = /\r\ncontent-length: *(\d+)/i.exec(headers);
      if (!m) {
        waiting.reject(new Error(`response without content-length: ${headers.slice(0, 200)}`));
        return;
      }
      const total = headerEnd + 4 + Number(m[1]);
      if (buf.length < total) return;
      const status = Number(headers.slice(9, 12));
      const body = buf.subarray(headerEnd + 4, total).toString('utf8');
      buf = buf.subarray(total);
      const w = waiting;
      waiting = undefined;
      w.resolve({ status, body });
    });
    socket.on('error', (e) => (waiting ? waiting.reject(e) : reject(e)));
    socket.on('close', () => waiting?.reject(new Error('connection closed by the server')));
    socket.once('secureConnect', () =>
      resolve({
        exchange(bytes) {
          return new Promise((res, rej) => {
            waiting = { resolve: res, reject: rej };
            socket.write(bytes);
          });
        },
        close: () => socket.destroy(),
      }),
    );
  });
}

function summarize({ done, errors, firstError, seconds, latencies }) {
  latencies.sort((a, b) => a - b);
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(q * latencies.length) - 1))] ?? NaN;
  return { count: done, errors, firstError, seconds, perSecond: done / seconds, p50: p(0.5), p99: p(0.99), max: latencies.at(-1) ?? NaN };
}

/**
 * Raw etcd3 writes of `valueSize` bytes to unique keys under keyPrefix, with the etcd3 package
 * (modes put, txn) or with aa-gen's own etcd client (mode put-own: etcd/grpc.ts, as the
 * server's etcd3 backend uses it).
 */
async function etcdLoad(t) {
  const client = t.mode === 'put-own' ? await ownEtcdClient(t.endpoint) : new (await import('etcd3')).Etcd3({ hosts: t.endpoint });
  const value = Buffer.alloc(t.valueSize, 'x');
  let n = 0;
  let done = 0;
  const latencies = [];
  const start = performance.now();
  const measureFrom = start + t.warmupMs;
  const end = measureFrom + t.durationMs;
  async function one(key) {
    if (t.mode === 'put-own') return client.put(key, value);
    if (t.mode === 'put') return client.put(key).value(value).exec();
    // What a create does in the etcd3 backend: put only if the key does not exist.
    return client.kv.txn({
      compare: [{ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: Buffer.from(key), value } }],
      failure: [],
    });
  }
  async function loop() {
    while (performance.now() < end) {
      const t0 = performance.now();
      await one(`${t.keyPrefix}${n++}`);
      const t1 = performance.now();
      if (t1 >= measureFrom && t1 <= end) {
        done++;
        latencies.push(t1 - t0);
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: t.concurrency }, loop));
  } finally {
    client.close();
  }
  return summarize({ done, errors: 0, seconds: t.durationMs / 1000, latencies });
}

/** Plain etcd Puts through aa-gen's gRPC client (dist/runtime/storage/etcd). */
async function ownEtcdClient(endpoint) {
  const etcd = new URL('../../dist/runtime/storage/etcd/', import.meta.url);
  const { GrpcChannel } = await import(new URL('grpc.js', etcd));
  const { KV_PUT, putRequest, decodeHeaderOnly } = await import(new URL('messages.js', etcd));
  const { grpcFrame } = await import(new URL('wire.js', etcd));
  const channel = new GrpcChannel({ endpoints: [endpoint], timeoutMs: 10_000 });
  return {
    put: (key, value) => channel.unary(KV_PUT, grpcFrame(putRequest({ key, value })), decodeHeaderOnly),
    close: () => channel.close(),
  };
}

/**
 * One watch stream on its own TLS connection, read as minimal HTTP/1.1 (status line, headers,
 * then a chunked body) for the same reason as openConnection: node:https's response machinery
 * would cost the load thread more per event than the server spends sending it, and the figure
 * is the server's. `onLine(at, line)` gets each event line (a Buffer without its newline) with
 * the time its last byte arrived. Resolves with a close function once the 200 has arrived.
 */
function openWatch(host, port, t, path, onLine) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ca: t.ca, cert: t.cert, key: t.key, servername: host === '127.0.0.1' ? undefined : host });
    let head = Buffer.alloc(0); // until the headers are complete
    let inHeaders = true;
    let sizeLine = ''; // a chunk's size line being read
    let remaining = 0; // data bytes left in the current chunk (+2 for its CRLF)
    let pending = []; // pieces of the current event line
    socket.on('data', (chunk) => {
      const at = performance.now();
      let i = 0;
      if (inHeaders) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.subarray(9, 12).toString('latin1');
        if (status !== '200') {
          reject(new Error(`watch answered ${status}`));
          socket.destroy();
          return;
        }
        inHeaders = false;
        chunk = head.subarray(end + 4);
        resolve(() => socket.destroy());
      }
      while (i < chunk.length) {
        if (remaining === 0) {
          const nl = chunk.indexOf(10, i);
          if (nl < 0) {
            sizeLine += chunk.toString('latin1', i);
            return;
          }
          sizeLine += chunk.toString('latin1', i, nl);
          i = nl + 1;
          remaining = parseInt(sizeLine, 16) + 2;
          sizeLine = '';
          if (remaining === 2) return socket.destroy(); // the last chunk: the stream ended
          continue;
        }
        const take = Math.min(remaining, chunk.length - i);
        const data = chunk.subarray(i, i + Math.max(0, Math.min(take, remaining - 2)));
        i += take;
        remaining -= take;
        let from = 0;
        let nl;
        while ((nl = data.indexOf(10, from)) >= 0) {
          pending.push(data.subarray(from, nl));
          onLine(at, pending.length === 1 ? pending[0] : Buffer.concat(pending));
          pending = [];
          from = nl + 1;
        }
        if (from < data.length) pending.push(data.subarray(from));
      }
    });
    socket.on('error', reject);
    socket.once('secureConnect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\naccept: application/json\r\n\r\n`),
    );
  });
}

/**
 * Opens `watchers` watch streams (each on its own keep-alive TLS socket), then makes `updates`
 * merge-patches of one object, one at a time. For every update and watcher it records the time
 * from just before the PATCH is sent to the arrival of the MODIFIED event.
 */
async function watchFanout(t) {
  const { hostname, port } = new URL(t.url);
  const watchers = [];
  const t0 = performance.now();
  for (let i = 0; i < t.watchers; i += 100) {
    // Connect in groups, so the handshakes do not all queue at once.
    const group = Array.from({ length: Math.min(100, t.watchers - i) }, () => {
      const w = { events: [], onEvent: undefined, close: undefined };
      watchers.push(w);
      return openWatch(hostname, Number(port), t, t.watchPath, (at, line) => {
        w.events.push({ at, line });
        w.onEvent?.();
      }).then((close) => (w.close = close));
    });
    await Promise.all(group);
  }
  const connectSeconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 200)); // let every watch register server-side

  const writeAgent = tlsAgent(t, 1);
  const rounds = [];
  const warmups = t.warmups ?? 0;
  for (let u = 0; u < warmups + t.updates; u++) {
    for (const w of watchers) w.events.length = 0;
    let remaining = t.watchers;
    const allArrived = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`update ${u}: only ${t.watchers - remaining}/${t.watchers} watchers got the event within 30s`)), 30_000);
      for (const w of watchers) {
        w.onEvent = () => {
          w.onEvent = undefined;
          if (--remaining === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
      }
    });
    const body = JSON.stringify({ spec: { size: (u % 100) + 1 } });
    const activeBefore = await serverActiveMs();
    const sentAt = performance.now();
    const r = await send(writeAgent, t.url, 'PATCH', t.objectPath, { 'content-type': 'application/merge-patch+json', accept: 'application/json' }, body);
    if (r.status !== 200) throw new Error(`update ${u} answered ${r.status}: ${r.body.slice(0, 300)}`);
    const rv = JSON.parse(r.body).metadata.resourceVersion;
    await allArrived;
    const lastAt = performance.now();
    // Answered once the server thread is free again, so this covers the whole fan-out.
    const serverBusyMs = (await serverActiveMs()) - activeBefore;
    const latencies = [];
    for (const w of watchers) {
      const ev = w.events[0];
      const parsed = JSON.parse(ev.line.toString('utf8'));
      if (parsed.type !== 'MODIFIED' || parsed.object.metadata.resourceVersion !== rv) {
        throw new Error(`update ${u}: a watcher got ${parsed.type} rv ${parsed.object?.metadata?.resourceVersion}, expected MODIFIED rv ${rv}`);
      }
      latencies.push(ev.at - sentAt);
    }
    latencies.sort((a, b) => a - b);
    const p = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
    if (u >= warmups) rounds.push({ update: u + 1 - warmups, writeMs: r.ms, serverBusyMs, spanMs: lastAt - sentAt, p50: p(0.5), p99: p(0.99), max: latencies.at(-1), min: latencies[0], all: latencies });
    await new Promise((res) => setTimeout(res, t.pauseMs ?? 300));
  }
  for (const w of watchers) w.close?.();
  writeAgent.destroy();
  return { connectSeconds, rounds };
}
