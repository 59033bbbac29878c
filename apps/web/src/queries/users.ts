import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { UpdateUserRequest } from '@virtweb/protocol';
import {
  beginTotp,
  changeOwnPassword,
  confirmTotp,
  createUser,
  deleteUser,
  endSession,
  listSessions,
  listUsers,
  removeOwnTotp,
  removeUserTotp,
  resetPassword,
  updateUser,
} from '../api/users.ts';
import { sessionKey } from './session.ts';

const usersKey = ['users'] as const;
const sessionsKey = ['sessions'] as const;

export const usersQuery = () => queryOptions({ queryKey: usersKey, queryFn: listUsers });
export const sessionsQuery = () => queryOptions({ queryKey: sessionsKey, queryFn: listSessions });

/** A mutation after which the users, the sessions and who I am are asked again (any may have changed). */
function useUsersMutation<A, R>(fn: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: async () => {
      await Promise.all(
        [usersKey, sessionsKey, sessionKey].map((queryKey) =>
          client.invalidateQueries({ queryKey, exact: true }),
        ),
      );
    },
  });
}

export const useCreateUser = () => useUsersMutation(createUser);
export const useUpdateUser = () =>
  useUsersMutation(({ name, change }: { name: string; change: UpdateUserRequest }) =>
    updateUser(name, change),
  );
export const useDeleteUser = () => useUsersMutation(deleteUser);
export const useResetPassword = () =>
  useUsersMutation(({ name, password }: { name: string; password: string }) => resetPassword(name, password));
export const useRemoveUserTotp = () => useUsersMutation(removeUserTotp);
export const useChangeOwnPassword = () => useUsersMutation(changeOwnPassword);
export const useBeginTotp = () => useUsersMutation(beginTotp);
export const useConfirmTotp = () => useUsersMutation(confirmTotp);
export const useRemoveOwnTotp = () => useUsersMutation(removeOwnTotp);
export const useEndSession = () => useUsersMutation(endSession);
