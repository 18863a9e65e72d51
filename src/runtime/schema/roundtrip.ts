// Round-trip properties of a kind's conversions, checked with random objects from each
// version's schema (fast-check); the round-trip tests generated into projects call this, the
// way kube's API round-trip tests fuzz every version (k8s.io/apimachinery
// pkg/api/apitesting/roundtrip). A failure throws a RoundTripError naming the direction, the
// (shrunk) counterexample and the seed that reproduces it.
import fc from 'fast-check';
import type { ApplyDefaults, KindConversion, KubeObject, SchemaValidate, Strategy, StrategyContext, StructuralSchemaData } from '../api.js';
import { InvalidFieldsError, StatusError } from '../errors.js';
import { arbitraryKubeObject, enumStrings } from './arbitrary.js';
import { deepCopyJson, ManualConversionRequiredError } from './conversion.js';
import { jsonEqual, withoutHubFields } from './hub-fields.js';

export interface RoundTripVersion {
  readonly schema: StructuralSchemaData;
  /** The version's generated validator: objects converted into the version must pass it. */
  readonly validate?: SchemaValidate;
  /** The version's generated defaulting, applied as the server does to objects it receives. */
  readonly applyDefaults?: ApplyDefaults;
}

export interface RoundTripSubject {
  readonly group: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly hubVersion: string;
  readonly conversion: KindConversion;
  /** Every version of the kind, the hub included. */
  readonly versions: Readonly<Record<string, RoundTripVersion>>;
  /**
   * The kind's strategy: hub objects are checked as the server would store them (defaulted,
   * prepareForCreate, schema and strategy validation); objects it would refuse are skipped.
   */
  readonly strategy?: Strategy;
  /** The project file holding the hand-written conversions, for messages. */
  readonly userConversionFile?: string;
}

export interface RoundTripOptions {
  /** Random objects per property; default 100. */
  readonly runs?: number;
  /** Seed of the random generator, to reproduce a reported failure. */
  readonly seed?: number;
}

/** A round-trip property that does not hold, or a conversion that is not written yet. */
export class RoundTripError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoundTripError';
  }
}

const show = (v: unknown) => JSON.stringify(v, null, 2);

function invalid(validate: SchemaValidate | undefined, obj: KubeObject): string | undefined {
  const errors = validate?.(obj) ?? [];
  return errors.length === 0 ? undefined : errors.map((e) => `${e.field}: ${e.detail ?? e.type}`).join('; ');
}

/**
 * Checks the conversions between `version` and the hub, on objects the server would accept
 * (defaulted, prepared and validated as the server does; others are skipped):
 * 1. hub -> version -> hub is the identity, for every storable hub object (what the version
 *    cannot hold travels in the hub-fields annotation), and the object in `version` is valid;
 * 2. version -> hub -> version -> hub gives the same hub object as version -> hub, with the
 *    annotation dropped on the way: whatever the hub keeps from an object of `version`,
 *    `version` shows back, so version -> hub -> version is the identity wherever the hub can
 *    hold the object (only what the hub schema has no room for may be lost).
 * Throws a RoundTripError on the first failure.
 */
export async function checkRoundTrip(subject: RoundTripSubject, version: string, options: RoundTripOptions = {}): Promise<void> {
  const { conversion, hubVersion, kind, group } = subject;
  const hub = subject.versions[hubVersion];
  const spoke = subject.versions[version];
  if (hub === undefined || spoke === undefined || version === hubVersion) {
    throw new RoundTripError(`${kind}: no round trip between ${version} and the hub ${hubVersion}`);
  }
  // Enum values of either version seed free-text strings, so renamed enum fields get exercised.
  const stringHints = [...new Set([...enumStrings(hub.schema), ...enumStrings(spoke.schema)])].sort();
  const objects = (v: string, schema: StructuralSchemaData) =>
    arbitraryKubeObject(schema, { apiVersion: `${group}/${v}`, kind, namespaced: subject.namespaced, stringHints });

  const ctx = (obj: KubeObject): StrategyContext => ({ dryRun: true, ...(obj.metadata.namespace !== undefined ? { namespace: obj.metadata.namespace } : {}) });
  /** The object as the server would store it, or undefined when the server would refuse it. */
  const stored = (obj: KubeObject): KubeObject | undefined => {
    const h = deepCopyJson(obj);
    hub.applyDefaults?.(h);
    subject.strategy?.prepareForCreate?.(h, ctx(h));
    const errors = [...(hub.validate?.(h) ?? []), ...(subject.strategy?.validate?.(h, ctx(h)) ?? [])];
    return errors.length === 0 ? h : undefined;
  };
  /** `version` -> hub as the server converts a request, or undefined when it answers 4xx. */
  const received = (obj: KubeObject): KubeObject | undefined => {
    const s = deepCopyJson(obj);
    spoke.applyDefaults?.(s);
    try {
      return conversion.toHub(s);
    } catch (e) {
      if (e instanceof InvalidFieldsError || (e instanceof StatusError && e.code >= 400 && e.code < 500)) return undefined;
      throw e;
    }
  };

  const hubFirst = fc.property(objects(hubVersion, hub.schema), (random) => {
    const h = stored(random);
    fc.pre(h !== undefined);
    const converted = conversion.fromHub(h, version);
    const problem = invalid(spoke.validate, converted);
    if (problem !== undefined) throw new Error(`the ${version} object is invalid: ${problem}\n${version} object: ${show(converted)}`);
    const back = conversion.toHub(converted);
    if (!jsonEqual(back, h)) throw new Error(`came back different\n${version} object: ${show(converted)}\nback in ${hubVersion}: ${show(back)}`);
  });
  const spokeFirst = fc.property(objects(version, spoke.schema), (s) => {
    const asHub = received(s);
    fc.pre(asHub !== undefined);
    const h = stored(asHub);
    fc.pre(h !== undefined);
    const shown = withoutHubFields(conversion.fromHub(h, version));
    const again = conversion.toHub(shown);
    if (!jsonEqual(again, h)) {
      throw new Error(
        `${version} does not show back what ${hubVersion} stores\nin ${hubVersion}: ${show(h)}\nread back in ${version}: ${show(shown)}\nstored again: ${show(again)}`,
      );
    }
  });

  const run = (name: string, property: fc.IProperty<[KubeObject]>) => {
    const details = fc.check(property, { numRuns: options.runs ?? 100, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    if (!details.failed) return;
    const cause = details.errorInstance;
    if (cause instanceof ManualConversionRequiredError) {
      const where = subject.userConversionFile !== undefined ? ` in ${subject.userConversionFile}` : '';
      throw new RoundTripError(`${kind} ${name}: a conversion is not written yet (${cause.message}); write it${where}`);
    }
    const message =
      cause instanceof Error
        ? cause.message
        : `too few objects to check: the server would refuse most random ones (${details.numSkips} skipped, ${details.numRuns} checked)`;
    throw new RoundTripError(
      `${kind} ${name}: ${message}\ncounterexample: ${show(details.counterexample?.[0])}\nreproduce with seed ${details.seed}, path ${JSON.stringify(details.counterexample === null ? '' : details.counterexamplePath)}`,
    );
  };
  run(`${hubVersion} -> ${version} -> ${hubVersion}`, hubFirst);
  run(`${version} -> ${hubVersion} -> ${version}`, spokeFirst);
}
