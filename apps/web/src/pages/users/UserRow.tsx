import { useState, type SubmitEvent } from 'react';
import { NewPasswordSchema, UserRoleSchema, type User } from '@virtweb/protocol';
import type { ApiError } from '../../api/errors.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { DialogButton } from '../../components/DialogButton.tsx';
import { Field } from '../../components/Field.tsx';
import { DialogFormButtons } from '../../components/FormButtons.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useDeleteUser, useRemoveUserTotp, useResetPassword, useUpdateUser } from '../../queries/users.ts';
import { formatWhen } from '../peers/peerWords.ts';
import { ROLE_OPTIONS } from './roleWords.ts';

/** One user in the Users table: its role (a select), state, TOTP, last login, and what an admin can do. */
export function UserRow({ user, me }: { user: User; me: string }) {
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const removeTotp = useRemoveUserTotp();
  const notify = useNotify();
  const fail = (what: string) => (err: ApiError) => notify.error(`Could not ${what} ${user.name}`, err);

  return (
    <tr>
      <th scope="row">
        {user.name}
        {user.name === me && <span className="muted"> (you)</span>}
      </th>
      <td>
        <select
          aria-label={`Role of ${user.name}`}
          value={user.role}
          disabled={update.isPending}
          onChange={(e) =>
            update.mutate(
              { name: user.name, change: { role: UserRoleSchema.parse(e.target.value) } },
              { onError: fail('change the role of') },
            )
          }
        >
          {ROLE_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </td>
      <td>{user.disabled ? 'disabled' : 'enabled'}</td>
      <td>{user.totp ? 'on' : 'off'}</td>
      <td>{user.lastLoginAt ? formatWhen(user.lastLoginAt) : 'never'}</td>
      <td className="row-actions">
        <button
          type="button"
          className="btn"
          aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.name}`}
          disabled={update.isPending}
          onClick={() =>
            update.mutate(
              { name: user.name, change: { disabled: !user.disabled } },
              { onError: fail(user.disabled ? 'enable' : 'disable') },
            )
          }
        >
          {user.disabled ? 'Enable' : 'Disable'}
        </button>
        <DialogButton
          label="Reset password"
          ariaLabel={`Reset the password of ${user.name}`}
          title={`New password for ${user.name}`}
        >
          {(close) => <ResetPasswordForm name={user.name} onClose={close} />}
        </DialogButton>
        {user.totp && (
          <ConfirmButton
            label="Remove TOTP"
            title={`Remove the authenticator of ${user.name}?`}
            busy={removeTotp.isPending}
            onConfirm={() => removeTotp.mutate(user.name, { onError: fail('remove the TOTP of') })}
          >
            {user.name} then logs in with the password alone (and may enrol a new authenticator).
          </ConfirmButton>
        )}
        <ConfirmButton
          label="Delete"
          title={`Delete user ${user.name}?`}
          danger
          busy={remove.isPending}
          onConfirm={() => remove.mutate(user.name, { onError: fail('delete') })}
        >
          Its sessions end at once. Guests and images stay.
        </ConfirmButton>
      </td>
    </tr>
  );
}

function ResetPasswordForm({ name, onClose }: { name: string; onClose: () => void }) {
  const reset = useResetPassword();
  const notify = useNotify();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = NewPasswordSchema.safeParse(password);
    if (!parsed.success) return setError(parsed.error.issues[0]?.message);
    reset.mutate(
      { name, password: parsed.data },
      {
        onSuccess: () => {
          notify.success(`Password of ${name} set; its sessions ended`);
          onClose();
        },
        onError: (err) => setError(err.message),
      },
    );
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <Field label="New password" error={error} hint="8 characters at least; the user's sessions end">
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      <DialogFormButtons label="Set password" busy={reset.isPending} onCancel={onClose} />
    </form>
  );
}
