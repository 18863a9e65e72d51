// The main-thread handle of the load worker (client-worker.mjs): one worker thread per bench,
// tasks sent one at a time.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

export function startClient() {
  const worker = new Worker(new URL('./client-worker.mjs', import.meta.url));
  let next = 0;
  const pending = new Map();
  worker.on('message', ({ id, result, error, probe }) => {
    if (probe !== undefined) {
      // The worker asks how long this thread has been busy so far (ms): its difference over an
      // interval is the server's CPU time in it.
      worker.postMessage({ probeAck: probe, active: performance.eventLoopUtilization().active });
      return;
    }
    const p = pending.get(id);
    pending.delete(id);
    if (error !== undefined) p.reject(new Error(error));
    else p.resolve(result);
  });
  worker.on('error', (e) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });
  return {
    run(task) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, task });
      });
    },
    /**
     * Runs a task and adds `mainElu`: the event-loop utilization of this (the server's) thread
     * while it ran. Near 1: the server thread was the limit; well below: something else was.
     */
    async measure(task) {
      const before = performance.eventLoopUtilization();
      const result = await this.run(task);
      return { ...result, mainElu: performance.eventLoopUtilization(before).utilization };
    },
    close: () => worker.terminate(),
  };
}
