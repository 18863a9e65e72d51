// Request attributes as k8s.io/apiserver pkg/endpoints/request/requestinfo.go derives them
// (TestGetAPIRequestInfo, TestSelectorParsing there), with selectors as KEP-4601 sends them.
import { describe, expect, it } from 'vitest';
import { requestAttributes } from '../../src/runtime/auth/authz/attributes.js';

const g = '/apis/wardle.example.com/v1alpha1';

describe('requestAttributes (requestinfo.go)', () => {
  const cases: Array<[string, string, string, Record<string, unknown>]> = [
    ['get', 'GET', `${g}/namespaces/default/flunders/x`, { verb: 'get', namespace: 'default', resource: 'flunders', name: 'x', subresource: '' }],
    ['head is get', 'HEAD', `${g}/namespaces/default/flunders/x`, { verb: 'get', name: 'x' }],
    ['list', 'GET', `${g}/namespaces/default/flunders`, { verb: 'list', name: '' }],
    ['list across namespaces', 'GET', `${g}/flunders`, { verb: 'list', namespace: '', resource: 'flunders' }],
    ['watch=true', 'GET', `${g}/namespaces/default/flunders?watch=true`, { verb: 'watch' }],
    ['watch=1', 'GET', `${g}/flunders?watch=1`, { verb: 'watch' }],
    ['watch=yes is watch too', 'GET', `${g}/flunders?watch=yes`, { verb: 'watch' }],
    ['watch=false', 'GET', `${g}/flunders?watch=false`, { verb: 'list' }],
    ['watch=0', 'GET', `${g}/flunders?watch=0`, { verb: 'list' }],
    ['legacy watch path', 'GET', `${g}/watch/namespaces/default/flunders/x`, { verb: 'watch', namespace: 'default', resource: 'flunders', name: 'x' }],
    ['create', 'POST', `${g}/namespaces/default/flunders`, { verb: 'create', name: '' }],
    ['update', 'PUT', `${g}/namespaces/default/flunders/x`, { verb: 'update', name: 'x' }],
    ['patch', 'PATCH', `${g}/namespaces/default/flunders/x`, { verb: 'patch', name: 'x' }],
    ['delete', 'DELETE', `${g}/namespaces/default/flunders/x`, { verb: 'delete', name: 'x' }],
    ['deletecollection', 'DELETE', `${g}/namespaces/default/flunders`, { verb: 'deletecollection', name: '' }],
    ['status subresource', 'PUT', `${g}/namespaces/default/flunders/x/status`, { verb: 'update', subresource: 'status', name: 'x' }],
    ['cluster-scoped', 'GET', `${g}/fischers/f`, { verb: 'get', namespace: '', resource: 'fischers', name: 'f' }],
    ['namespace object', 'GET', '/api/v1/namespaces/default', { verb: 'get', resource: 'namespaces', name: 'default', namespace: 'default', apiGroup: '' }],
    ['namespace status', 'PUT', '/api/v1/namespaces/default/status', { resource: 'namespaces', subresource: 'status', name: 'default' }],
    ['metadata.name list is the named get', 'GET', `${g}/namespaces/default/flunders?fieldSelector=metadata.name%3Dx`, { verb: 'list', name: 'x' }],
    ['metadata.name watch', 'GET', `${g}/flunders?watch=true&fieldSelector=metadata.name%3Dx`, { verb: 'watch', name: 'x' }],
    ['unparsable selector: no name', 'GET', `${g}/flunders?fieldSelector=metadata.name%3Dx,foo`, { verb: 'list', name: '' }],
    ['ListOptions that do not decode (limit=abc): no name', 'GET', `${g}/flunders?fieldSelector=metadata.name%3Dx&limit=abc`, { verb: 'list', name: '' }],
    ['a bad label selector: no name either', 'GET', `${g}/flunders?fieldSelector=metadata.name%3Dx&labelSelector=a%3D%3D%3D`, { verb: 'list', name: '' }],
  ];
  for (const [name, method, url, want] of cases) {
    it(name, () => {
      const a = requestAttributes(method, url);
      expect(a.isResourceRequest).toBe(true);
      expect(a).toMatchObject(want);
    });
  }

  it('group, version and prefix', () => {
    expect(requestAttributes('GET', `${g}/flunders`)).toMatchObject({ apiPrefix: 'apis', apiGroup: 'wardle.example.com', apiVersion: 'v1alpha1' });
  });

  for (const path of ['/apis', '/apis/wardle.example.com', '/apis/wardle.example.com/v1alpha1', '/api', '/api/v1', '/healthz', '/openapi/v3', '/version', '/']) {
    it(`non-resource: ${path}`, () => {
      expect(requestAttributes('GET', path)).toEqual({
        isResourceRequest: false,
        path,
        verb: 'get',
        apiPrefix: '',
        apiGroup: '',
        apiVersion: '',
        namespace: '',
        resource: '',
        subresource: '',
        name: '',
      });
    });
  }

  it('selectors of list/watch/deletecollection become requirements (labels sorted by key, values sorted)', () => {
    const a = requestAttributes('GET', `${g}/flunders?labelSelector=${encodeURIComponent('z in (b,a),app=web,!gone,has,n!=1,x>3')}&fieldSelector=${encodeURIComponent('spec.color!=red,metadata.namespace==default')}`);
    expect(a.fieldSelector).toEqual([
      { key: 'metadata.namespace', operator: 'In', values: ['default'] },
      { key: 'spec.color', operator: 'NotIn', values: ['red'] },
    ]);
    expect(a.labelSelector).toEqual([
      { key: 'app', operator: 'In', values: ['web'] },
      { key: 'gone', operator: 'DoesNotExist' },
      { key: 'has', operator: 'Exists' },
      { key: 'n', operator: 'NotIn', values: ['1'] },
      { key: 'z', operator: 'In', values: ['a', 'b'] },
    ]);
    const del = requestAttributes('DELETE', `${g}/namespaces/d/flunders?labelSelector=a%3Db`);
    expect(del).toMatchObject({ verb: 'deletecollection', labelSelector: [{ key: 'a', operator: 'In', values: ['b'] }] });
  });

  it('selectors are ignored on get and on the legacy watch path', () => {
    expect(requestAttributes('GET', `${g}/flunders/x?labelSelector=a%3Db`).labelSelector).toBeUndefined();
    expect(requestAttributes('GET', `${g}/watch/flunders?labelSelector=a%3Db`).labelSelector).toBeUndefined();
  });
});
