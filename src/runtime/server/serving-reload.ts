// The serving certificate, reloaded while the server runs, after k8s.io/apiserver
// pkg/server/dynamiccertificates (DynamicServingCertificateController over
// DynamicFileServingContent): the pair is read again every `intervalMs`; when it changed and is
// a usable pair, new TLS connections get it (secure-context.ts), while connections already open
// keep theirs. A pair that does not load is logged and the last good one stays.
// Whoever rotates it (cert-manager, an operator, a person) only has to replace the files or the
// Secret.
import { every } from '../util/periodic.js';

export interface ServingMaterial {
  readonly cert: string;
  readonly key: string;
  /** The CA clients should trust for it, when the source says (a Secret's ca.crt). */
  readonly ca?: string;
}

export interface ServingReloadOptions {
  /** Puts a new pair in use for new connections; throws when the key does not match the certificate. */
  readonly install: (pair: { readonly cert: string; readonly key: string }) => void;
  /** What is served now. */
  readonly current: ServingMaterial;
  /** Reads the source again. */
  readonly load: () => Promise<ServingMaterial>;
  /** What the pair is, for logs: `--tls-cert-file /x`, `secret ns/name`. */
  readonly source: string;
  readonly intervalMs: number;
  /** After a new pair is in use. */
  readonly onChange?: (m: ServingMaterial) => void | Promise<void>;
  readonly log: { info(m: string): void; warn(m: string): void };
}

export interface ServingReload {
  /** Checks now (also what the timer does); true when a new pair was taken. */
  checkNow(): Promise<boolean>;
  stop(): void;
}

export function startServingReload(opts: ServingReloadOptions): ServingReload {
  let current = opts.current;
  let stopped = false;

  const checkNow = async (): Promise<boolean> => {
    const next = await opts.load();
    if (stopped || (next.cert === current.cert && next.key === current.key && next.ca === current.ca)) return false;
    opts.install({ cert: next.cert, key: next.key });
    current = next;
    opts.log.info(`serving certificate reloaded from ${opts.source}`);
    await opts.onChange?.(next);
    return true;
  };

  const periodic = every(opts.intervalMs, () =>
    checkNow().catch((e: Error) => opts.log.warn(`cannot reload the serving certificate from ${opts.source} (the current one stays): ${e.message}`)),
  );
  return {
    checkNow,
    stop() {
      stopped = true;
      periodic.stop();
    },
  };
}
