// The heap still in use after a full garbage collection: what a test may say is retained.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function retainedHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
