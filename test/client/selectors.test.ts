// Selectors as callers write them, encoded as the server parses them
// (k8s.io/apimachinery pkg/labels/selector.go, pkg/fields/selector.go EscapeValue,
// pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector).
import { describe, expect, test } from 'vitest';
import { ClientError, encodeFieldSelector, encodeLabelSelector, type LabelSelectorInput } from '../../src/runtime/client/index.js';
import { parseLabelSelectorOrThrow } from '../../src/runtime/registry/labels.js';
import { parseFieldSelectorOrThrow } from '../../src/runtime/registry/fields.js';

describe('encodeLabelSelector', () => {
  const cases: [string, LabelSelectorInput | undefined, string | undefined][] = [
    ['undefined selects everything', undefined, undefined],
    ['empty string selects everything', '', undefined],
    ['strings pass through', 'app=web,tier notin (db)', 'app=web,tier notin (db)'],
    ['a record is equalities in key order', { tier: 'front', app: 'web' }, 'app=web,tier=front'],
    ['an empty record selects everything', {}, undefined],
    ['prefixed keys', { 'example.com/team': 'a' }, 'example.com/team=a'],
    [
      'matchLabels and matchExpressions, sorted by key, values sorted',
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['b', 'a'] },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'owner', operator: 'Exists' },
        ],
      },
      'app=web,!canary,env notin (prod),owner,zone in (a,b)',
    ],
  ];
  test.each(cases)('%s', (_name, input, want) => {
    expect(encodeLabelSelector(input)).toBe(want);
  });

  test('what it encodes parses back to the same requirements on the server side', () => {
    const text = encodeLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] })!;
    const sel = parseLabelSelectorOrThrow(text);
    expect(sel.matches({ app: 'web', zone: 'b' })).toBe(true);
    expect(sel.matches({ app: 'web', zone: 'c' })).toBe(false);
  });

  test.each([
    ['a value with a comma', { app: 'a,b' }],
    ['a key with a space', { 'my app': 'x' }],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' as const, values: [] }] }],
  ])('rejects %s with InvalidSelector', (_name, input) => {
    expect(() => encodeLabelSelector(input)).toThrow(ClientError);
    try {
      encodeLabelSelector(input);
    } catch (e) {
      expect((e as ClientError).code).toBe('InvalidSelector');
    }
  });
});

describe('encodeFieldSelector', () => {
  test.each([
    ['undefined', undefined, undefined],
    ['a string passes through', 'metadata.name=a', 'metadata.name=a'],
    ['record in key order', { 'spec.color': 'red', 'metadata.name': 'w1' }, 'metadata.name=w1,spec.color=red'],
    ['not equals', { 'spec.color': { notEquals: 'red' } }, 'spec.color!=red'],
    ['values are escaped (fields.EscapeValue)', { 'metadata.name': 'a,b=c\\d' }, 'metadata.name=a\\,b\\=c\\\\d'],
  ] as const)('%s', (_name, input, want) => {
    expect(encodeFieldSelector(input as Parameters<typeof encodeFieldSelector>[0])).toBe(want);
  });

  test('escaped values parse back on the server side', () => {
    const text = encodeFieldSelector({ 'metadata.name': 'a,b=c' })!;
    expect(parseFieldSelectorOrThrow(text)).toEqual([{ field: 'metadata.name', operator: '=', value: 'a,b=c' }]);
  });

  test('a key that is not a field path is rejected', () => {
    expect(() => encodeFieldSelector({ 'a=b': 'x' })).toThrow(/not a field path/);
  });
});
