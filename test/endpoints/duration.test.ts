// Table-driven against k8s.io/apimachinery pkg/util/duration/duration_test.go
// (TestHumanDuration, TestHumanDurationBoundaries).
import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../src/runtime/endpoints/duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

const cases: [number, string][] = [
  [s, '1s'],
  [70 * s, '70s'],
  [190 * s, '3m10s'],
  [70 * m, '70m'],
  [47 * h, '47h'],
  [49 * h, '2d1h'],
  [(8 * 24 + 2) * h, '8d'],
  [367 * d, '367d'],
  [2 * y + 25 * h, '2y1d'],
  [8 * y + 2 * h, '8y'],
  // boundaries
  [-2 * s, '<invalid>'],
  [-2 * s + 1, '0s'],
  [0, '0s'],
  [s - 1, '0s'],
  [2 * m - 1, '119s'],
  [2 * m, '2m'],
  [2 * m + s, '2m1s'],
  [10 * m - 1, '9m59s'],
  [10 * m, '10m'],
  [10 * m + s, '10m'],
  [3 * h - 1, '179m'],
  [3 * h, '3h'],
  [3 * h + m, '3h1m'],
  [8 * h - 1, '7h59m'],
  [8 * h, '8h'],
  [8 * h + 59 * m, '8h'],
  [2 * d - 1, '47h'],
  [2 * d, '2d'],
  [2 * d + h, '2d1h'],
  [8 * d - 1, '7d23h'],
  [8 * d, '8d'],
  [8 * d + 23 * h, '8d'],
  [2 * y - 1, '729d'],
  [2 * y, '2y'],
  [2 * y + 23 * h, '2y'],
  [2 * y + 23 * h + 59 * m, '2y'],
  [2 * y + d - 1, '2y'],
  [2 * y + d, '2y1d'],
  [3 * y, '3y'],
  [7 * y, '7y'],
  [8 * y - 1, '7y364d'],
  [8 * y, '8y'],
  [8 * y + 364 * d, '8y'],
  [9 * y, '9y'],
];

describe('humanDuration (apimachinery HumanDuration)', () => {
  it.each(cases)('%d ms -> %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});
