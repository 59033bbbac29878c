import { useQuery } from '@tanstack/react-query';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { imagesQuery } from '../../queries/images.ts';
import { vmsQuery } from '../../queries/vms.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { useRoleGate } from '../../queries/role.ts';
import { CreateImageForm } from './CreateImageForm.tsx';
import { ImageTable } from './ImageTable.tsx';
import { UploadImagePanel } from './UploadImagePanel.tsx';
import './images.css';

/** Disk and CD images in the data directory: list, create, upload, resize, convert, delete. */
export function ImagesPage() {
  useDocumentTitle('Images');
  const images = useQuery(imagesQuery());
  const vms = useQuery(vmsQuery());
  const role = useRoleGate('operate');
  return (
    <section aria-labelledby="images-title">
      <h1 id="images-title">Images</h1>
      {images.isPending && <Loading what="the images" />}
      {images.isError && (
        <QueryError what="the images" error={images.error} onRetry={() => void images.refetch()} />
      )}
      {images.data && images.data.length === 0 && (
        <p className="empty">No images yet. Create a disk or upload an ISO below.</p>
      )}
      {images.data && images.data.length > 0 && <ImageTable images={images.data} vms={vms.data ?? []} />}
      {role.allowed ? (
        <div className="columns">
          <CreateImageForm images={images.data ?? []} />
          <UploadImagePanel />
        </div>
      ) : (
        <p className="muted">Creating and uploading images needs the operate role.</p>
      )}
    </section>
  );
}
