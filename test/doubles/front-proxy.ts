// TEST DOUBLE of kube-aggregator's proxy side (API-CONTRACT 8.2-8.3; client-go
// transport/round_trippers.go SetAuthProxyHeaders): a request-header CA and a
// `front-proxy-client` certificate as kubeadm makes them, and requests sent the way the
// aggregator sends them: its client certificate, X-Remote-User, one X-Remote-Group line per
// group, X-Remote-Extra-<path-escaped key> per extra value.
import { send, type SendOptions, type SentResponse } from './https.js';
import { issue, makeCA, type Issued, type TestCA } from './pki.js';

export interface FrontProxyPKI {
  /** The request-header CA (kubeadm's front-proxy-ca). */
  readonly ca: TestCA;
  /** CN=front-proxy-client, clientAuth. */
  readonly client: Issued;
}

export async function makeFrontProxyPKI(): Promise<FrontProxyPKI> {
  const ca = await makeCA('front-proxy-ca');
  return { ca, client: await issue(ca, { cn: 'front-proxy-client' }) };
}

export interface ProxiedIdentity {
  readonly user: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
  readonly uid?: string;
}

/** The identity headers SetAuthProxyHeaders writes. */
export function identityHeaders(id: ProxiedIdentity): Record<string, string | readonly string[]> {
  const h: Record<string, string | readonly string[]> = { 'X-Remote-User': id.user };
  if (id.uid) h['X-Remote-Uid'] = id.uid;
  if (id.groups?.length) h['X-Remote-Group'] = id.groups;
  for (const [k, v] of Object.entries(id.extra ?? {})) h[`X-Remote-Extra-${pathEscape(k)}`] = v;
  return h;
}

/** Go's url.PathEscape: like encodeURIComponent, but these stay as they are: $&+,:;=@ */
export function pathEscape(s: string): string {
  return encodeURIComponent(s).replace(/%(24|26|2B|2C|3A|3B|3D|40)/g, (m) => decodeURIComponent(m));
}

/** A request as kube-aggregator proxies it: `client` certificate plus identity headers. */
export function proxiedRequest(
  url: string,
  id: ProxiedIdentity,
  o: SendOptions & { readonly client?: Issued } = {},
): Promise<SentResponse> {
  return send(url, {
    ...o,
    cert: o.client?.cert ?? o.cert,
    key: o.client?.key ?? o.key,
    headers: { ...identityHeaders(id), ...(o.headers ?? {}) },
  });
}
