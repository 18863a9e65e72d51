// Small helpers that make problem messages read well; pure functions, no spec knowledge.
import { parsePointer } from './source.js';

/** `/kinds/0/versions/v1/schema` -> `kinds[0].versions.v1.schema`; '' -> `the spec`. */
export function describePointer(pointer: string): string {
  if (pointer === '') return 'the spec';
  let out = '';
  for (const seg of parsePointer(pointer)) {
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += (out ? '.' : '') + seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function quote(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  return JSON.stringify(v) ?? String(v);
}

export function firstSentence(s: string): string {
  const m = /^(.*?[.:])(\s|$)/.exec(s);
  return (m ? m[1] : s).replace(/[.:]$/, '');
}

/** The closest candidate to `word` (case-insensitive edit distance <= 2, or same lower case). */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === w ? 0 : editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.min(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
