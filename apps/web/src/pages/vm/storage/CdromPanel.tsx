import { useState, type SubmitEvent } from 'react';
import { TRAY_LOCKED, type Image, type Vm } from '@virtweb/protocol';
import { ConfirmButton } from '../../../components/ConfirmButton.tsx';
import { Field } from '../../../components/Field.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useChangeCdrom } from '../../../queries/vmStorage.ts';
import { isCdImage } from '../../imageKinds.ts';
import { canChangeStorage } from './storageStates.ts';

/** The CD drive: which ISO is in it, change it, eject it; a tray the guest locked can be forced open. */
export function CdromPanel({ vm, images }: { vm: Vm; images: Image[] }) {
  const isos = images.filter((i) => isCdImage(i) && i.name !== vm.cdrom && i.operation === undefined);
  const [choice, setChoice] = useState('');
  // The change the guest refused (tray locked), offered again with force.
  const [locked, setLocked] = useState<{ image: string | null; message: string } | null>(null);
  const mutation = useChangeCdrom(vm.id);
  const notify = useNotify();
  const image = isos.some((i) => i.name === choice) ? choice : (isos[0]?.name ?? '');
  const editable = canChangeStorage(vm.state) && !mutation.isPending;

  const change = (target: string | null, force: boolean) => {
    setLocked(null);
    mutation.mutate(
      { image: target, ...(force ? { force: true } : {}) },
      {
        onSuccess: () =>
          notify.success(target === null ? `Ejected the CD of ${vm.name}` : `Inserted ${target}`),
        onError: (err) => {
          if (err.code === TRAY_LOCKED) setLocked({ image: target, message: err.message });
          else notify.error(target === null ? 'Could not eject the CD' : `Could not insert ${target}`, err);
        },
      },
    );
  };
  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (image !== '') change(image, false);
  };

  return (
    <section className="panel" aria-labelledby="vm-cdrom-title">
      <h2 id="vm-cdrom-title">CD drive</h2>
      <p>
        {vm.cdrom === undefined ? <span className="muted">Empty</span> : <strong>{vm.cdrom}</strong>}{' '}
        <button
          type="button"
          className="btn"
          onClick={() => change(null, false)}
          disabled={!editable || vm.cdrom === undefined}
          aria-busy={mutation.isPending && mutation.variables.image === null}
        >
          Eject
        </button>
      </p>
      {locked && (
        <div className="form-error" role="alert">
          <p>{locked.message}</p>
          <ConfirmButton
            label={locked.image === null ? 'Force eject' : `Force ${locked.image} in`}
            title="Force the CD tray open?"
            onConfirm={() => change(locked.image, true)}
            danger
          >
            <p>The guest still uses the CD: programs reading it will get errors.</p>
          </ConfirmButton>
        </div>
      )}
      <form className="form" onSubmit={submit} aria-label={`Change the CD of ${vm.name}`}>
        <Field
          label="ISO image"
          hint={isos.length === 0 ? 'No other ISO: upload one on the Images page.' : undefined}
        >
          {(p) => (
            <select
              {...p}
              value={image}
              onChange={(e) => setChoice(e.target.value)}
              disabled={isos.length === 0}
            >
              {isos.map((i) => (
                <option key={i.name} value={i.name}>
                  {i.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="form-buttons">
          <button
            type="submit"
            className="btn"
            disabled={!editable || image === ''}
            aria-busy={mutation.isPending && mutation.variables.image !== null}
          >
            {vm.cdrom === undefined ? 'Insert' : 'Change CD'}
          </button>
        </div>
      </form>
    </section>
  );
}
