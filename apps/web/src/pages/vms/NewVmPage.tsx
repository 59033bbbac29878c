import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { hostQuery } from '../../queries/host.ts';
import { imagesQuery } from '../../queries/images.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { NewVmWizard } from './wizard/NewVmWizard.tsx';

/** Define a new guest with the wizard; its choices come from the images and the host's facts and limits. */
export function NewVmPage() {
  useDocumentTitle('New VM');
  const images = useQuery(imagesQuery());
  const host = useQuery(hostQuery());
  return (
    <section aria-labelledby="new-vm-title">
      <p className="crumbs">
        <Link to="/vms">Guests</Link> /
      </p>
      <h1 id="new-vm-title">New VM</h1>
      {(images.isPending || host.isPending) && <Loading what="the images and the host's limits" />}
      {images.isError && (
        <QueryError what="the images" error={images.error} onRetry={() => void images.refetch()} />
      )}
      {host.isError && <QueryError what="the host" error={host.error} onRetry={() => void host.refetch()} />}
      {images.data && host.data && <NewVmWizard images={images.data} host={host.data} />}
    </section>
  );
}
