import { queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type {
  ConvertImageRequest,
  CreateImageRequest,
  ImageOperation,
  ImageProgress,
  ResizeImageRequest,
} from '@virtweb/protocol';
import {
  convertImage,
  createImage,
  deleteImage,
  listImages,
  resizeImage,
  uploadImage,
  type UploadProgress,
} from '../api/images.ts';

export const imagesKey = ['images'] as const;

export const imagesQuery = () => queryOptions({ queryKey: imagesKey, queryFn: listImages });

// Kept apart from imagesKey so that invalidating the list does not touch them.
const progressKey = (name: string, op: ImageOperation) => ['image-progress', name, op] as const;

/** Stores an `image.progress` event where {@link useImageProgress} reads it. */
export function storeImageProgress(client: QueryClient, progress: ImageProgress): void {
  client.setQueryData(progressKey(progress.name, progress.op), progress);
}

/** The latest progress event of an operation on an image (from the events socket; never fetched). */
export function useImageProgress(name: string, op: ImageOperation): ImageProgress | undefined {
  const { data } = useQuery({
    queryKey: progressKey(name, op),
    queryFn: (): ImageProgress | null => null,
    enabled: false,
    staleTime: Infinity,
  });
  return data ?? undefined;
}

function useImagesMutation<V, R>(fn: (vars: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => client.invalidateQueries({ queryKey: imagesKey }),
  });
}

export function useCreateImage() {
  return useImagesMutation((req: CreateImageRequest) => createImage(req));
}

export function useDeleteImage() {
  return useImagesMutation((name: string) => deleteImage(name));
}

export function useResizeImage() {
  return useImagesMutation(({ name, req }: { name: string; req: ResizeImageRequest }) =>
    resizeImage(name, req),
  );
}

export function useConvertImage() {
  const client = useQueryClient();
  return useImagesMutation(({ name, req }: { name: string; req: ConvertImageRequest }) => {
    // A fresh start: the bar must not show the end of an earlier convert of the same image.
    client.removeQueries({ queryKey: progressKey(name, 'convert') });
    return convertImage(name, req);
  });
}

export interface UploadVars {
  name: string;
  file: File;
  onProgress: (p: UploadProgress) => void;
  signal: AbortSignal;
}

export function useUploadImage() {
  return useImagesMutation(({ name, file, onProgress, signal }: UploadVars) =>
    uploadImage(name, file, { onProgress, signal }),
  );
}
