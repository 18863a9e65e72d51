// Warning response headers as k8s.io/apiserver writes them (pkg/endpoints/filters/warning.go,
// the recorder, with apimachinery pkg/util/net/http.go NewWarningHeader): each text once, in
// order; a text with control characters is dropped; `"` and `\` are escaped and everything else
// is written as is, as UTF-8 bytes; past 4096 runes in all, every text is cut to 256 runes.
// Texts quote what the client sent (unknown field names), so any of this may be hostile.

const truncateAtTotalRunes = 4 * 1024;
const truncateItemRunes = 256;
/** unicode.IsControl: C0, DEL and C1. */
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `Warning` header values for `texts`, encoded for node (which writes header strings as latin1). */
export function warningHeaders(texts: readonly string[]): string[] {
  const recorded = new Set<string>();
  const ordered: string[] = [];
  let headers: string[] = [];
  let written = 0;
  let truncating = false;
  for (const text of texts) {
    if (!text) continue;
    if (written >= truncateAtTotalRunes && truncating) break;
    if (recorded.has(text)) continue;
    recorded.add(text);
    ordered.push(text);

    let runes = [...text];
    if (truncating && runes.length > truncateItemRunes) runes = runes.slice(0, truncateItemRunes);
    const header = warningHeader(runes.join(''));
    if (header === undefined) continue;
    if (written + runes.length <= truncateAtTotalRunes || truncating) {
      written += runes.length;
      headers.push(header);
      continue;
    }
    // Over the limit: start again with every text so far cut short.
    truncating = true;
    written = 0;
    headers = [];
    for (const t of ordered) {
      const cut = [...t].slice(0, truncateItemRunes);
      const h = warningHeader(cut.join(''));
      if (h === undefined) continue;
      written += cut.length;
      headers.push(h);
    }
  }
  return headers;
}

/** `299 - "<text>"`, or undefined for a text kube refuses (control characters). */
function warningHeader(text: string): string | undefined {
  // A lone surrogate cannot be UTF-8; Go's JSON decoder has made it U+FFFD before this point.
  const wellFormed = text.replace(loneSurrogate, '\ufffd');
  if (controlCharacter.test(wellFormed)) return undefined;
  const value = `299 - "${wellFormed.replace(/["\\]/g, '\\$&')}"`;
  return Buffer.from(value, 'utf8').toString('latin1');
}
