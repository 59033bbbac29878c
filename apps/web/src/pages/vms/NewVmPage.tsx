import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { hostQuery } from '../../queries/host.ts';
import { imagesQuery } from '../../queries/images.ts';
import { vmsQuery } from '../../queries/vms.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { NewVmWizard } from './wizard/NewVmWizard.tsx';

/** Define a new guest with the wizard; its choices come from the images and the host's facts and limits. */
export function NewVmPage() {
  useDocumentTitle('New VM');
  const images = useQuery(imagesQuery());
  const host = useQuery(hostQuery());
  const vms = useQuery(vmsQuery());
  return (
    <section aria-labelledby="new-vm-title">
      <p className="crumbs">
        <Link to="/vms">Guests</Link> /
      </p>
      <h1 id="new-vm-title">New VM</h1>
      {(images.isPending || host.isPending || vms.isPending) && (
        <Loading what="the images, the host's limits and its guests" />
      )}
      {images.isError && (
        <QueryError what="the images" error={images.error} onRetry={() => void images.refetch()} />
      )}
      {host.isError && <QueryError what="the host" error={host.error} onRetry={() => void host.refetch()} />}
      {vms.isError && <QueryError what="the guests" error={vms.error} onRetry={() => void vms.refetch()} />}
      {images.data && host.data && vms.data && (
        <NewVmWizard images={images.data} host={host.data} vmNames={vms.data.map((vm) => vm.name)} />
      )}
    </section>
  );
}
