// A background task run every `intervalMs`, the next run timed from the end of the last (so
// runs never overlap), on an unref'd timer (it never keeps the process alive). `run` reports
// its own failures; a rejection is ignored and the next run still comes.

export interface Periodic {
  stop(): void;
}

export function every(intervalMs: number, run: () => Promise<unknown>): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped || intervalMs <= 0) return;
    timer = setTimeout(() => void run().catch(() => undefined).then(schedule), intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
