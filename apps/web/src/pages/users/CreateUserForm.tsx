import { useState, type SubmitEvent } from 'react';
import { CreateUserRequestSchema, type UserRole } from '@virtweb/protocol';
import { Field } from '../../components/Field.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { RadioGroup } from '../../components/RadioGroup.tsx';
import { useCreateUser } from '../../queries/users.ts';
import { ROLE_OPTIONS } from './roleWords.ts';

/** A new user: name, first password (the user changes it on its Account page) and role. */
export function CreateUserForm() {
  const create = useCreateUser();
  const notify = useNotify();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  // The least a user can do, until the admin chooses more.
  const [role, setRole] = useState<UserRole>('read');
  const [errors, setErrors] = useState<{ name?: string; password?: string }>({});

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = CreateUserRequestSchema.safeParse({ name, password, role });
    if (!parsed.success) {
      const first = (field: string) => parsed.error.issues.find((i) => i.path[0] === field)?.message;
      return setErrors({ name: first('name'), password: first('password') });
    }
    setErrors({});
    create.mutate(parsed.data, {
      onSuccess: (u) => {
        notify.success(`User ${u.name} created`);
        setName('');
        setPassword('');
        setRole('read');
      },
      onError: (err) => setErrors({ name: err.message }),
    });
  };

  return (
    <section className="panel" aria-labelledby="new-user-title">
      <h2 id="new-user-title">New user</h2>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="User name" error={errors.name} hint="a-z 0-9 . _ -, starting with a letter">
          {(p) => (
            <input
              {...p}
              value={name}
              autoComplete="off"
              autoCapitalize="none"
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label="First password" error={errors.password} hint="8 characters at least">
          {(p) => (
            <input
              {...p}
              type="password"
              value={password}
              autoComplete="new-password"
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <RadioGroup legend="Role" value={role} options={ROLE_OPTIONS} onChange={setRole} />
        <div className="form-buttons">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            Create user
          </button>
        </div>
      </form>
    </section>
  );
}
