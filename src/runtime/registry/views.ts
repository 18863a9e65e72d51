// Hub <-> version views of one kind's objects, the stored form, and the converted-object cache.
//
// Objects are stored as hub (storage version) JSON without resourceVersion; the item's
// modRevision is the resourceVersion. Reads convert back to the requested version and apply
// that version's defaults; each converted object is cached per (key, revision, version) so
// repeated reads and all watchers share one object: callers must never mutate what they get.
import type { KindDefinition, KindVersionDefinition, KubeObject } from '../api.js';
import { errors, InvalidFieldsError, StatusError } from '../errors.js';
import type { KeyValue } from '../storage/interface.js';
import { copyJson, deepEqual, isPlainJson } from './json.js';

/** The stored form: the hub object without resourceVersion (the storage revision is it). */
export function serialize(hub: KubeObject): string {
  // A create's object has no resourceVersion: JSON.stringify leaves out an undefined one
  // anyway, so the two copies below would change nothing.
  if (hub.metadata !== undefined && hub.metadata !== null && hub.metadata.resourceVersion === undefined) return JSON.stringify(hub);
  const { resourceVersion: _rv, ...meta } = hub.metadata ?? {};
  return JSON.stringify({ ...hub, metadata: meta });
}

/** Two stored values hold the same object (equal text is the common, cheap case). */
export function sameStored(a: string, b: string): boolean {
  return a === b || deepEqual(JSON.parse(a), JSON.parse(b));
}

export class ObjectViews {
  private readonly cache = new Map<string, KubeObject>();
  /**
   * The cache's keys in insertion order, a ring of cacheSize slots; the slot at `next` holds the
   * oldest. (Evicting through `cache.keys().next()` costs microseconds: a Map skips the holes its
   * deletions leave at the front, thousands of them at steady state.)
   */
  private readonly order: (string | undefined)[] = [];
  private next = 0;

  constructor(
    private readonly kind: KindDefinition,
    private readonly versions: ReadonlyMap<string, KindVersionDefinition>,
    private readonly cacheSize: number,
  ) {}

  /** `obj` (owned by the caller, who must not use it afterwards) as the hub version. */
  toHub(obj: KubeObject, version: string): KubeObject {
    let hub: KubeObject;
    if (version === this.kind.storageVersion) {
      hub = obj;
    } else {
      try {
        hub = this.kind.conversion.toHub(obj);
      } catch (e) {
        // A hand-written conversion may reject what the hub cannot represent.
        if (e instanceof InvalidFieldsError) {
          throw errors.invalid(this.kind.group, this.kind.kind, obj.metadata?.name ?? '', e.fieldErrors);
        }
        if (e instanceof StatusError) throw e;
        throw errors.internal(new Error(`conversion from ${this.kind.group}/${version} to ${this.kind.group}/${this.kind.storageVersion} failed: ${(e as Error).message}`));
      }
    }
    hub.apiVersion = `${this.kind.group}/${this.kind.storageVersion}`;
    hub.kind = this.kind.kind;
    hub.metadata = hub.metadata ?? obj.metadata;
    return hub;
  }

  /**
   * A hub object as `version`, with `revision` as its resourceVersion and defaults applied.
   * `owned`: the caller hands `hub` over (it is changed in place and may become the result);
   * otherwise it is copied first.
   */
  fromHubObject(hub: KubeObject, revision: number | undefined, version: string, owned = false): KubeObject {
    const h = owned ? hub : copyJson(hub);
    if (revision === undefined) delete h.metadata.resourceVersion;
    else h.metadata.resourceVersion = String(revision);
    let out: KubeObject;
    if (version === this.kind.storageVersion) {
      out = h;
    } else {
      try {
        out = this.kind.conversion.fromHub(h, version);
      } catch (e) {
        throw errors.internal(new Error(`conversion from ${this.kind.group}/${this.kind.storageVersion} to ${this.kind.group}/${version} failed: ${(e as Error).message}`));
      }
      out.metadata = out.metadata ?? h.metadata;
      if (revision !== undefined) out.metadata.resourceVersion = String(revision);
    }
    this.versions.get(version)?.applyDefaults(out);
    out.apiVersion = `${this.kind.group}/${version}`;
    out.kind = this.kind.kind;
    return out;
  }

  /** The stored object as `version`, shared through the cache: never mutate it. */
  view(key: string, value: string, revision: number, version: string, tag = ''): KubeObject {
    const cacheKey = `${tag}\u0000${version}\u0000${revision}\u0000${key}`;
    let obj = this.cache.get(cacheKey);
    if (!obj) {
      obj = this.fromHubObject(JSON.parse(value) as KubeObject, revision, version, true);
      this.remember(cacheKey, obj);
    }
    return obj;
  }

  /**
   * view() of what a write just stored, built from `hub`, the object `kv.value` was serialized
   * from, instead of parsing that JSON again. The write hands `hub` over. Only when `hub` is
   * plain JSON data (what parsing its JSON would give back, key order included) is it used; an
   * object a strategy hook left with an `undefined`, a Date or shared substructure goes the
   * parsing way, so the result is always what view() would have given.
   */
  ownedView(kv: KeyValue, hub: KubeObject, version: string): KubeObject {
    const cacheKey = `\u0000${version}\u0000${kv.modRevision}\u0000${kv.key}`;
    let obj = this.cache.get(cacheKey);
    if (obj) return obj;
    if (!isPlainJson(hub) || hub.metadata === undefined) return this.view(kv.key, kv.value, kv.modRevision, version);
    // serialize() left resourceVersion out; fromHubObject appends it, as on the parsed object.
    delete hub.metadata.resourceVersion;
    obj = this.fromHubObject(hub, kv.modRevision, version, true);
    this.remember(cacheKey, obj);
    return obj;
  }

  /** The stored hub object (for selectors and strategy hooks), cached; never mutate it. */
  hubOf(key: string, value: string, revision: number | undefined, asOf?: number): KubeObject {
    if (revision === undefined) {
      const hub = JSON.parse(value) as KubeObject;
      if (asOf !== undefined) hub.metadata.resourceVersion = String(asOf);
      return hub;
    }
    const cacheKey = `hub\u0000${revision}\u0000${key}`;
    let hub = this.cache.get(cacheKey);
    if (!hub) {
      hub = JSON.parse(value) as KubeObject;
      hub.metadata = hub.metadata ?? {};
      hub.metadata.resourceVersion = String(revision);
      this.remember(cacheKey, hub);
    }
    return hub;
  }

  private remember(cacheKey: string, obj: KubeObject): void {
    if (this.cacheSize <= 0) return;
    const known = this.cache.has(cacheKey);
    this.cache.set(cacheKey, obj);
    if (known) return;
    // Oldest inserted first.
    const oldest = this.order[this.next];
    if (oldest !== undefined) this.cache.delete(oldest);
    this.order[this.next] = cacheKey;
    this.next = (this.next + 1) % this.cacheSize;
  }
}
