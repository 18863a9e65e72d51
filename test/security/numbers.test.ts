// Numbers that do not fit a float64 are refused at decode time, as Go's decoders refuse them
// (sigs.k8s.io/json decode.go convertNumber: "cannot unmarshal number 1e400 into Go value of
// type float64"; sigs.k8s.io/yaml turns YAML into JSON with encoding/json, which refuses
// +Inf and NaN), instead of being stored as null.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatusShape } from '../server/helpers.js';
import { call, patchTypes, startDemo, widget, widgets, type TestServer } from './fixture.js';

let s: TestServer;
beforeAll(async () => {
  s = await startDemo();
  expect((await call(s, 'POST', widgets, widget('n'))).status).toBe(201);
});
afterAll(async () => s?.stop());

const yamlWidget = (name: string, value: string) =>
  `apiVersion: demo.example.com/v1\nkind: Widget\nmetadata: {name: ${name}}\nspec:\n  size: 1\n  config: {x: ${value}}\n`;

describe('numbers beyond float64', () => {
  it('JSON 1e400 and -1e400 are 400 on create', async () => {
    for (const n of ['1e400', '-1e400', '1' + '0'.repeat(400)]) {
      const r = await call(s, 'POST', widgets, `{"apiVersion":"demo.example.com/v1","kind":"Widget","metadata":{"name":"big"},"spec":{"size":1,"config":{"s":"1e999","x":${n}}}}`);
      expectStatusShape(r.body, 400, 'BadRequest');
      expect(r.body.message).toBe(`the body of the request could not be decoded: json: cannot unmarshal number ${n} into Go value of type float64`);
    }
    expect((await call(s, 'GET', `${widgets}/big`)).status).toBe(404);
  });

  it('YAML .inf, -.inf and .nan are 400 on create', async () => {
    for (const [v, go] of [['.inf', '+Inf'], ['-.inf', '-Inf'], ['.nan', 'NaN']]) {
      const r = await call(s, 'POST', widgets, yamlWidget('inf', v), 'application/yaml');
      expectStatusShape(r.body, 400, 'BadRequest');
      expect(r.body.message).toBe(`the body of the request could not be decoded: json: unsupported value: ${go}`);
    }
  });

  it('the same in merge, json, strategic and apply patches', async () => {
    const cases: Array<[string, string]> = [
      [patchTypes.merge, '{"spec":{"config":{"x":1e400}}}'],
      [patchTypes.json, '[{"op":"add","path":"/spec/config","value":1e400}]'],
      [patchTypes.strategic, '{"spec":{"config":{"x":-1e400}}}'],
      [`${patchTypes.apply}`, yamlWidget('n', '.nan')],
    ];
    for (const [type, body] of cases) {
      const r = await call(s, 'PATCH', `${widgets}/n?fieldManager=t`, body, type);
      expectStatusShape(r.body, 400, 'BadRequest');
      expect(r.body.message).toMatch(/^error decoding patch: json: (cannot unmarshal number -?1e400 into Go value of type float64|unsupported value: NaN)$/);
    }
    const got = await call(s, 'GET', `${widgets}/n`);
    expect(got.body.spec.config).toBeUndefined();
  });

  it('large finite numbers are kept', async () => {
    const r = await call(s, 'POST', widgets, `{"apiVersion":"demo.example.com/v1","kind":"Widget","metadata":{"name":"fin"},"spec":{"size":1,"config":{"x":1e308}}}`);
    expect(r.status).toBe(201);
    expect(r.body.spec.config.x).toBe(1e308);
  });
});
