// Label selector grammar and messages: k8s.io/apimachinery@v0.32.4 pkg/labels/selector.go.
import { describe, expect, it } from 'vitest';
import { parseLabelSelector, parseLabelSelectorOrThrow } from '../../src/runtime/registry/labels.js';
import { isStatusError } from '../../src/runtime/errors.js';

const labels = { app: 'web', tier: 'frontend', version: '3', empty: '' };

describe('label selectors (apimachinery pkg/labels/selector.go)', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['app notin (web)', false],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['  app = web , tier in ( frontend ) ', true],
    ['version>2', true],
    ['version<2', false],
    ['app>2', false],
    ['empty=', true],
    ['empty in (,x)', true],
    ['x in (in, notin)', false],
    ['example.com/app!=z', true],
  ])('%j matches %s', (sel, want) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(want);
  });

  it.each([
    ['app in', "unable to parse requirement: found '' expected: '('"],
    ['app in (', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['app in db', "unable to parse requirement: found 'db' expected: '('"],
    ['app=web,', "found '', expected: identifier after ','"],
    ['app=web tier', "found 'tier', expected: ',' or 'end of string'"],
    ['=web', "found '=', expected: !, identifier, or 'end of string'"],
    ['app in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['app ~ web', "unable to parse requirement: found '~', expected: in, notin, =, ==, !=, gt, lt"],
    [
      'app=bad value!',
      "found 'value', expected: ',' or 'end of string'",
    ],
    [
      'app=-bad',
      'unable to parse requirement: values[0][app]: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')'.replace(/,  or /g, ', or '),
    ],
    [
      '-app=x',
      'unable to parse requirement: <nil>: Invalid value: "-app": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\', or \'my.name\', or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
    ],
    ['version>x', 'unable to parse requirement: values[0]: Invalid value: "x": for \'Gt\', \'Lt\' operators, the value must be an integer'],
  ])('%j is a 400 with kube\'s message', (sel, message) => {
    let err: unknown;
    try {
      parseLabelSelector(sel);
    } catch (e) {
      err = e;
    }
    expect(isStatusError(err, 'BadRequest')).toBe(true);
    expect((err as Error).message).toBe(message);
    expect(() => parseLabelSelectorOrThrow(sel)).toThrow(message);
  });

  it('sorts requirements by key and dedupes set values', () => {
    const s = parseLabelSelector('b in (y,x,x),a');
    expect(s.requirements.map((r) => r.key)).toEqual(['a', 'b']);
    expect(s.requirements[1].values).toEqual(['x', 'y']);
  });
});
