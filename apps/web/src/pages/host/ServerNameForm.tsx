import { useState, type SubmitEvent } from 'react';
import { SetServerNameRequestSchema } from '@virtweb/protocol';
import { TextField } from '../../components/TextField.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useSetServerName } from '../../queries/host.ts';

/** Renames this server: peers and the guests list show the name (default: the hostname). */
export function ServerNameForm({ name, hostname }: { name: string; hostname: string }) {
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | undefined>();
  const rename = useSetServerName();
  const notify = useNotify();

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = SetServerNameRequestSchema.safeParse({ name: value });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? 'invalid name');
    setError(undefined);
    rename.mutate(parsed.data, {
      onSuccess: (host) => {
        notify.success(`This server is now called ${host.name ?? host.hostname}`);
        setValue(host.name ?? host.hostname);
      },
      onError: (err) => setError(err.message),
    });
  };

  return (
    <form className="form panel" onSubmit={submit} noValidate aria-labelledby="server-name-title">
      <h2 id="server-name-title">Name of this server</h2>
      <p className="muted">
        How peers and the guests list name this server; the hostname is <code>{hostname}</code>. Peers see a
        new name at their next health check (within 15 s).
      </p>
      <TextField
        label="Display name"
        error={error}
        hint="1 to 63 characters"
        value={value}
        onChange={setValue}
      />
      <div className="form-buttons">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={rename.isPending || value.trim() === name}
          aria-busy={rename.isPending}
        >
          {rename.isPending ? 'Saving…' : 'Rename'}
        </button>
      </div>
    </form>
  );
}
