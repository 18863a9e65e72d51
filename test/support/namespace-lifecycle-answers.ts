// What Go's sample-apiserver answers through the real aggregator when NamespaceLifecycle
// refuses a create (k8s.io/apiserver pkg/admission/plugin/namespace/lifecycle/admission.go).
// test/kube/sample-apiserver.test.ts holds Go's server to these, and
// test/kube/namespace-lifecycle.test.ts holds aa-gen's wardle to the same values.

export const missingNamespace = {
  stderr: 'Error from server (NotFound): error when creating "STDIN": namespaces "nowhere" not found\n',
  response: {
    code: 404,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'namespaces "nowhere" not found', reason: 'NotFound', details: { name: 'nowhere', kind: 'namespaces' }, code: 404 },
  },
};

const terminatingMessage = 'flunders.wardle.example.com "late" is forbidden: unable to create new content in namespace doomed because it is being terminated';

export const terminatingNamespace = {
  stderr: `Error from server (Forbidden): error when creating "STDIN": ${terminatingMessage}\n`,
  response: {
    code: 403,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: terminatingMessage,
      reason: 'Forbidden',
      details: {
        name: 'late',
        group: 'wardle.example.com',
        kind: 'flunders',
        causes: [{ reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' }],
      },
      code: 403,
    },
  },
};
