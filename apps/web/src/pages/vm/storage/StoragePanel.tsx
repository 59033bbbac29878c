import { useQuery } from '@tanstack/react-query';
import { DISK_BUS_LABELS, formatBytes, type Image, type Vm } from '@virtweb/protocol';
import { QueryError } from '../../../components/QueryError.tsx';
import { imagesQuery } from '../../../queries/images.ts';
import { AddDiskForm } from './AddDiskForm.tsx';
import { CdromPanel } from './CdromPanel.tsx';
import { DiskOptionsBtn } from './DiskOptionsBtn.tsx';
import { optionsLabel } from './DiskOptionsFields.tsx';
import { RemoveDiskBtn } from './RemoveDiskBtn.tsx';
import { storageHint } from './storageStates.ts';
import { DataTable } from '../../../components/DataTable.tsx';

/** A guest's disks (add new or existing, hot-plug, options, remove) and its CD drive (change, eject). */
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
            columns={[
              'Slot',
              'Image',
              'Bus',
              'Format',
              { heading: 'Size', numeric: true },
              'Options',
              'Actions',
            ]}
          >
            {vm.disks.map((d) => (
              <DiskRow key={d.index} vm={vm} disk={d} facts={byName.get(d.image)} />
            ))}
          </DataTable>
        )}
        {vm.pendingChanges?.includes('disks') === true && (
          <p className="muted" role="status">
            Some disk changes apply at the next start (a SATA/IDE disk added, or new options).
          </p>
        )}
        <AddDiskForm vm={vm} images={images.data ?? []} />
      </section>
      <CdromPanel vm={vm} images={images.data ?? []} />
    </div>
  );
}

function DiskRow({ vm, disk, facts }: { vm: Vm; disk: Vm['disks'][number]; facts: Image | undefined }) {
  return (
    <tr>
      <td className="num">{disk.index}</td>
      <th scope="row">{disk.image}</th>
      <td>{DISK_BUS_LABELS[disk.bus]}</td>
      <td>{facts?.format ?? <span className="muted">unknown</span>}</td>
      <td className="num">{facts ? formatBytes(facts.virtualSize) : ''}</td>
      <td>{optionsLabel(disk)}</td>
      <td>
        <div className="actions">
          <DiskOptionsBtn vm={vm} disk={disk} />
          <RemoveDiskBtn vm={vm} index={disk.index} image={disk.image} />
        </div>
      </td>
    </tr>
  );
}
