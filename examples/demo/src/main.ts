// This file is yours: aa-gen created it once and never overwrites it.
//
// The entry point of the demo API server (demo.example.com). `runMain` parses the flags
// k8s.io/apiserver users know (--secure-port, --etcd-servers, ...; see `--help`) and serves
// every kind registered in the generated registry.
import { runMain } from 'aa-gen/runtime';
import { apiGroup } from './generated/registry.js';

await runMain(apiGroup, process.argv.slice(2));
