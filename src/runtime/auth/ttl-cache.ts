// A small map whose entries expire: the response caches of the token and SubjectAccessReview
// webhooks (k8s.io/apiserver pkg/authentication/token/cache, plugin/pkg/authorizer/webhook use
// an LRU with per-entry TTLs). Expired entries are dropped when read; the size cap evicts the
// oldest insertion so a flood of distinct keys cannot grow memory without bound.
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** A TTL of 0 or less stores nothing (upstream: a zero TTL disables that cache). */
  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expires: this.now() + ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
