import type { ApiTokenStore } from '../auth/api-tokens.ts';
import type { Principal } from '../auth/principal.ts';
import type { VmService } from '../vms/vm-service.ts';

/** How the task log names who acted and on which guest. */
export interface TaskActors {
  /** A logged-in user's name or the API token's name. */
  userOf: (principal: Principal) => string;
  /** A guest's name, when it exists. */
  vmName: (id: string) => string | undefined;
}

export function taskActors(tokens: ApiTokenStore, vms: VmService): TaskActors {
  return {
    userOf: (p) => (p.kind === 'session' ? (p.user ?? p.id) : (tokens.nameOf(p.id) ?? p.id)),
    vmName: (id) => {
      try {
        return vms.definition(id).name;
      } catch {
        return undefined; // not a guest (yet): the route answers 404
      }
    },
  };
}
