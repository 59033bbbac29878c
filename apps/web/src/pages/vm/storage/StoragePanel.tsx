import { useQuery } from '@tanstack/react-query';
import { formatBytes, type Image, type Vm } from '@virtweb/protocol';
import { QueryError } from '../../../components/QueryError.tsx';
import { imagesQuery } from '../../../queries/images.ts';
import { AddDiskForm } from './AddDiskForm.tsx';
import { CdromPanel } from './CdromPanel.tsx';
import { RemoveDiskBtn } from './RemoveDiskBtn.tsx';
import { storageHint } from './storageStates.ts';
import { DataTable } from '../../../components/DataTable.tsx';

/** A guest's disks (hot-add, remove) and its CD drive (change, eject). */
export function StoragePanel({ vm }: { vm: Vm }) {
  const images = useQuery(imagesQuery());
  const byName = new Map((images.data ?? []).map((i) => [i.name, i]));
  return (
    <div className="columns">
      <section className="panel" aria-labelledby="vm-disks-title">
        <h2 id="vm-disks-title">Disks</h2>
        <p className="muted">{storageHint(vm.state)}</p>
        {images.isError && (
          <QueryError what="the images" error={images.error} onRetry={() => void images.refetch()} />
        )}
        {vm.disks.length === 0 ? (
          <p className="muted">No disks.</p>
        ) : (
          <DataTable
            labelledBy="vm-disks-title"
            columns={['Slot', 'Image', 'Format', { heading: 'Size', numeric: true }, 'Actions']}
          >
            {vm.disks.map((d) => (
              <DiskRow key={d.index} vm={vm} index={d.index} image={d.image} facts={byName.get(d.image)} />
            ))}
          </DataTable>
        )}
        <AddDiskForm vm={vm} images={images.data ?? []} />
      </section>
      <CdromPanel vm={vm} images={images.data ?? []} />
    </div>
  );
}

function DiskRow({
  vm,
  index,
  image,
  facts,
}: {
  vm: Vm;
  index: number;
  image: string;
  facts: Image | undefined;
}) {
  return (
    <tr>
      <td className="num">{index}</td>
      <th scope="row">{image}</th>
      <td>{facts?.format ?? <span className="muted">unknown</span>}</td>
      <td className="num">{facts ? formatBytes(facts.virtualSize) : ''}</td>
      <td>
        <RemoveDiskBtn vm={vm} index={index} image={image} />
      </td>
    </tr>
  );
}
