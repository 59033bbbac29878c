import type { TokenScope, UserRole } from '@virtweb/protocol';
import type { RadioOption } from '../../components/RadioGroup.tsx';
import { SCOPE_OPTIONS } from '../peers/peerWords.ts';

const isRole = (o: RadioOption<TokenScope>): o is RadioOption<UserRole> => o.value !== 'peer';

/** The roles, least first: the token scopes of the same names and rights (but `peer`, for servers only). */
export const ROLE_OPTIONS: readonly RadioOption<UserRole>[] = SCOPE_OPTIONS.filter(isRole).map((o) =>
  o.value === 'admin'
    ? { ...o, hint: 'Everything, including users, peers, tokens, the qemu monitor and QMP.' }
    : o,
);

export function roleLabel(role: UserRole): string {
  return ROLE_OPTIONS.find((o) => o.value === role)?.label ?? role;
}
