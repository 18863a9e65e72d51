// This file is yours: aa-gen created it once and never overwrites it.
//
// Admission plugin BanFlunder, as sample-apiserver's pkg/admission/plugin/banflunder: a Flunder
// may not be created with a name that any Fischer lists in disallowedFlunders. sample-apiserver
// writes it as an Admit that never mutates; here it is a validating plugin, called on CREATE of
// Flunder after the strategy and schema validation. Turn it off with
// --disable-admission-plugins=BanFlunder.
import { newForbidden } from 'aa-gen/runtime';
import type { BanFlunderHooks } from '../generated/admission.js';

export const banFlunderPlugin: BanFlunderHooks = {
  async validate(a, ctx) {
    const flunderName = a.object?.metadata.name;
    if (!flunderName) return;
    // Fischers are cluster-scoped: every one of them counts, read from the watch cache.
    const fischers = await ctx.listers.get('fischers').list();
    for (const fischer of fischers) {
      if (fischer.disallowedFlunders?.includes(flunderName)) {
        // errors.NewForbidden(a.GetResource().GroupResource(), a.GetName(), ...), as upstream.
        throw newForbidden(a.resource.group, a.resource.resource, a.name, 'this name may not be used, please change the resource name');
      }
    }
  },
};
