import { useQuery } from '@tanstack/react-query';
import { Field } from '../../../components/Field.tsx';
import { connectionUrisQuery } from '../../../queries/connections.ts';

/** Where the new guest is defined: this server (qemu run by virtweb) or a libvirt connection; shown with any. */
export function ConnectionSelect({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (uri: string) => void;
  error?: string | undefined;
}) {
  const uris = useQuery(connectionUrisQuery());
  if ((uris.data ?? []).length === 0 && value === '') return null;
  return (
    <Field
      label="Host"
      error={error}
      hint="a libvirt connection's guest is a domain of that libvirt, defined from these same choices"
    >
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">This server (virtweb runs qemu)</option>
          {(uris.data ?? []).map((uri) => (
            <option key={uri} value={uri}>
              libvirt: {uri}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
