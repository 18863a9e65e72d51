// String formats as kube-apiserver validates them in CRD schemas: only the formats listed in
// apiextensions-apiserver (pkg/apis/apiextensions/validation/formats.go) are checked; every
// other format (int32, int64, double, ...) is ignored, as kube strips unsupported formats.
// The checks follow k8s.io/kube-openapi pkg/validation/strfmt in spirit (own implementations).
import { isIP, isIPv4, isIPv6 } from 'node:net';

export interface FormatCheck {
  validate(value: string): boolean;
}

const re = (r: RegExp): FormatCheck => ({ validate: (s) => r.test(s) });

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function isbn10(s: string): boolean {
  const c = s.replace(/[\s-]/g, '');
  if (!/^[0-9]{9}[0-9X]$/.test(c)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (c[i] === 'X' ? 10 : Number(c[i])) * (10 - i);
  return sum % 11 === 0;
}

function isbn13(s: string): boolean {
  const c = s.replace(/[\s-]/g, '');
  if (!/^[0-9]{13}$/.test(c)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(c[i]) * (i % 2 === 0 ? 1 : 3);
  return sum % 10 === 0;
}

function hostname(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  return s.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[\p{L}\p{S}0-9]([\p{L}\p{S}0-9-]*[\p{L}\p{S}0-9])?$/u.test(l));
}

function cidr(s: string): boolean {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return false;
  const v = isIP(ip);
  return v !== 0 && Number(bits) <= (v === 4 ? 32 : 128);
}

function dateTime(s: string): boolean {
  // RFC 3339 date-time (kube also accepts a few Go layouts; RFC 3339 is what clients send).
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/.exec(s);
  return m !== null && date(`${m[1]}-${m[2]}-${m[3]}`) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
}

function date(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Go time.ParseDuration syntax plus kube-openapi's day/week units: `1h30m`, `300ms`, `2d`. */
const duration = re(/^[-+]?(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$/);

export const kubeFormats: Readonly<Record<string, FormatCheck>> = {
  bsonobjectid: re(/^[0-9a-fA-F]{24}$/),
  uri: { validate: (s) => /^[A-Za-z][A-Za-z0-9+.-]*:\S*$|^\/\S*$/.test(s) },
  email: re(/^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+$/),
  hostname: { validate: hostname },
  ipv4: { validate: (s) => isIPv4(s) },
  ipv6: { validate: (s) => isIPv6(s) },
  cidr: { validate: cidr },
  mac: re(/^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{2}[:-]){7}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$/),
  uuid: re(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i),
  uuid3: re(/^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i),
  uuid4: re(/^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i),
  uuid5: re(/^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i),
  isbn: { validate: (s) => isbn10(s) || isbn13(s) },
  isbn10: { validate: isbn10 },
  isbn13: { validate: isbn13 },
  creditcard: { validate: (s) => { const d = s.replace(/[\s-]/g, ''); return /^[0-9]{12,19}$/.test(d) && luhn(d); } },
  ssn: re(/^\d{3}[- ]?\d{2}[- ]?\d{4}$/),
  hexcolor: re(/^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/),
  rgbcolor: re(/^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/),
  byte: re(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/),
  password: { validate: () => true },
  date: { validate: date },
  duration,
  datetime: { validate: dateTime },
  'date-time': { validate: dateTime },
};

/** The formats kube validates; the emitter drops every other `format` from the compiled schema. */
export const kubeFormatNames: readonly string[] = Object.keys(kubeFormats);
