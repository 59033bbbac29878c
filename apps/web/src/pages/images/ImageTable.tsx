import { useRef } from 'react';
import { formatBytes, PROCESS_STATES, type Image, type Vm } from '@virtweb/protocol';
import { Link } from 'react-router-dom';
import { DeleteImageBtn } from '../../actions/DeleteImageBtn.tsx';
import { useCardLabels } from '../../components/useCardLabels.ts';
import { useImageProgress } from '../../queries/images.ts';
import { ConvertImageBtn } from './ConvertImageBtn.tsx';
import { leftBehindText } from './oldCopy.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { ResizeImageBtn } from './ResizeImageBtn.tsx';

function UsedBy({ ids, names }: { ids: string[]; names: Map<string, string> }) {
  if (ids.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="plain">
      {ids.map((id) => (
        <li key={id}>
          <Link to={`/vms/${id}`}>{names.get(id) ?? id}</Link>
        </li>
      ))}
    </ul>
  );
}

function Backing({ image }: { image: Image }) {
  if (image.backingChain.length === 0) {
    return image.backingFile ? <span>{image.backingFile}</span> : <span className="muted">none</span>;
  }
  return (
    <ol className="plain chain" aria-label={`Backing chain of ${image.name}`}>
      {image.backingChain.map((b) => (
        <li key={b.name}>
          {b.inStore ? b.name : <strong>{b.name} (outside the store)</strong>}{' '}
          <span className="muted">
            {b.format}, {formatBytes(b.virtualSize)}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** A live bar while a convert of this image runs (the events socket drives it, even with its dialog closed). */
function RunningConvert({ name }: { name: string }) {
  const p = useImageProgress(name, 'convert');
  if (!p || p.done >= p.total) return null;
  return (
    <ProgressBar label={`Converting ${name} to ${p.target ?? 'a new image'}`} done={p.done} total={p.total} />
  );
}

function ImageRow({ img, vms }: { img: Image; vms: Map<string, Vm> }) {
  const names = new Map([...vms].map(([id, vm]) => [id, vm.name]));
  const users = img.usedBy.map((id) => vms.get(id)).filter((vm) => vm !== undefined);
  // A running guest's disk is locked by its qemu; a CD is only read (the server converts it).
  const openBy = users
    .filter((vm) => PROCESS_STATES.includes(vm.state) && vm.disks.some((d) => d.image === img.name))
    .map((vm) => vm.name);
  return (
    <tr>
      <th scope="row">
        {img.name}
        {img.operation && <span className="badge"> {img.operation} in progress</span>}
        {img.problem && <p className="problem">{img.problem}</p>}
        {img.leftBehind && (
          <p className="old-copy">
            {leftBehindText(img.leftBehind)}: not the VM’s disk any more, and never taken for it by a move.
            Delete it when it is not needed.
          </p>
        )}
        <RunningConvert name={img.name} />
      </th>
      <td>{img.format}</td>
      <td className="num">{formatBytes(img.virtualSize)}</td>
      <td className="num">{formatBytes(img.actualSize)}</td>
      <td>
        <Backing image={img} />
      </td>
      <td>
        <UsedBy ids={img.usedBy} names={names} />
      </td>
      <td>
        <div className="actions">
          <ResizeImageBtn image={img} />
          <ConvertImageBtn image={img} openBy={openBy} />
          <DeleteImageBtn image={img} usedByNames={img.usedBy.map((id) => names.get(id) ?? id)} />
        </div>
      </td>
    </tr>
  );
}

export function ImageTable({ images, vms }: { images: Image[]; vms: Vm[] }) {
  const byId = new Map(vms.map((vm) => [vm.id, vm]));
  const table = useRef<HTMLTableElement>(null);
  useCardLabels(table);
  return (
    <div className="table-wrap">
      <table ref={table} className="cards">
        <caption className="visually-hidden">Images on this host</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Format</th>
            <th scope="col" className="num">
              Virtual size
            </th>
            <th scope="col" className="num">
              Actual size
            </th>
            <th scope="col">Backing file</th>
            <th scope="col">Used by</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {images.map((img) => (
            <ImageRow key={img.name} img={img} vms={byId} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
