import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { imagesQuery } from '../../queries/images.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { NewVmForm } from './NewVmForm.tsx';

/** Define a new guest; the CD and disk choices come from the images on this host. */
export function NewVmPage() {
  useDocumentTitle('New VM');
  const images = useQuery(imagesQuery());
  return (
    <section aria-labelledby="new-vm-title">
      <p className="crumbs">
        <Link to="/vms">Guests</Link> /
      </p>
      <h1 id="new-vm-title">New VM</h1>
      {images.isPending && <Loading what="the images" />}
      {images.isError && (
        <QueryError what="the images" error={images.error} onRetry={() => void images.refetch()} />
      )}
      {images.data && <NewVmForm images={images.data} />}
    </section>
  );
}
