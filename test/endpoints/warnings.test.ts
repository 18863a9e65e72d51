// The Warning header recorder (apiserver pkg/endpoints/filters/warning.go, apimachinery
// pkg/util/net/http.go NewWarningHeader) and Go's %q (strconv.Quote), which quotes the names
// kube's messages carry.
import { describe, expect, it } from 'vitest';
import { warningHeaders } from '../../src/runtime/endpoints/warnings.js';
import { goQuote } from '../../src/runtime/go-quote.js';

const utf8 = (v: string) => Buffer.from(v, 'latin1').toString('utf8');

describe('warningHeaders (filters/warning.go recorder)', () => {
  it.each([
    ['plain text', ['a'], ['299 - "a"']],
    ['each text once, in order', ['b', 'a', 'b'], ['299 - "b"', '299 - "a"']],
    ['quotes and backslashes escaped, nothing else', ['say "hi" \\ é'], ['299 - "say \\"hi\\" \\\\ é"']],
    ['a text with a control character is dropped (NewWarningHeader refuses it)', ['ok', 'bad\u0001', 'del\u007f', 'c1\u0085'], ['299 - "ok"']],
    ['empty texts are ignored', ['', 'x'], ['299 - "x"']],
  ])('%s', (_, texts, want) => {
    expect(warningHeaders(texts).map(utf8)).toEqual(want);
  });

  it('writes UTF-8 bytes that node can send (latin1 header strings)', () => {
    const [h] = warningHeaders(['€']);
    expect(h).toMatch(/^[\t\x20-\x7e\x80-\xff]*$/);
    expect(Buffer.from(h!, 'latin1')).toEqual(Buffer.from('299 - "€"', 'utf8'));
  });

  it('past 4096 runes starts again with every text cut to 256 runes', () => {
    const texts = Array.from({ length: 12 }, (_, i) => `${i}`.padEnd(500, 'y'));
    const out = warningHeaders(texts);
    expect(out).toHaveLength(12);
    for (const h of out) expect(h).toHaveLength('299 - ""'.length + 256);
    expect(warningHeaders(texts.slice(0, 8)).every((h) => h.length === '299 - ""'.length + 500)).toBe(true);
  });
});

describe('goQuote (strconv.Quote)', () => {
  it.each([
    ['plain', 'spec.x', '"spec.x"'],
    ['quote and backslash', 'a"b\\c', '"a\\"b\\\\c"'],
    ['short escapes', '\n\t\r\u0007', '"\\n\\t\\r\\a"'],
    ['other C0 and DEL as \\x', '\u0001\u007f', '"\\x01\\x7f"'],
    ['printable non-ASCII as is', 'josé€日本', '"josé€日本"'],
    ['non-printable BMP as \\u', '\u00a0\u200b', '"\\u00a0\\u200b"'],
    ['a lone surrogate as U+FFFD', 'x\ud800', '"x\ufffd"'],
    ['astral printable as is', '😀', '"😀"'],
  ])('%s', (_, input, want) => {
    expect(goQuote(input)).toBe(want);
  });
});
