import { formatBytes, type Image, type Vm } from '@virtweb/protocol';
import { Link } from 'react-router-dom';
import { DeleteImageBtn } from '../../actions/DeleteImageBtn.tsx';

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

export function ImageTable({ images, vms }: { images: Image[]; vms: Vm[] }) {
  const names = new Map(vms.map((vm) => [vm.id, vm.name]));
  return (
    <div className="table-wrap">
      <table>
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
            <th scope="col">Used by</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {images.map((img) => (
            <tr key={img.name}>
              <th scope="row">
                {img.name}
                {img.backingFile && <span className="muted small"> (backed by {img.backingFile})</span>}
              </th>
              <td>{img.format}</td>
              <td className="num">{formatBytes(img.virtualSize)}</td>
              <td className="num">{formatBytes(img.actualSize)}</td>
              <td>
                <UsedBy ids={img.usedBy} names={names} />
              </td>
              <td>
                <DeleteImageBtn image={img} usedByNames={img.usedBy.map((id) => names.get(id) ?? id)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
