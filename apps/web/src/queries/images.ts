import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateImageRequest } from '@virtweb/protocol';
import { createImage, deleteImage, listImages } from '../api/images.ts';

export const imagesKey = ['images'] as const;

export const imagesQuery = () => queryOptions({ queryKey: imagesKey, queryFn: listImages });

export function useCreateImage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (req: CreateImageRequest) => createImage(req),
    onSuccess: () => client.invalidateQueries({ queryKey: imagesKey }),
  });
}

export function useDeleteImage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => deleteImage(name),
    onSuccess: () => client.invalidateQueries({ queryKey: imagesKey }),
  });
}
