import { z } from 'zod';
import { ImageSchema, type CreateImageRequest, type Image } from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const ImageListSchema = z.array(ImageSchema);

export function listImages(): Promise<Image[]> {
  return requestJson('GET', '/api/images', ImageListSchema);
}

export function createImage(req: CreateImageRequest): Promise<Image> {
  return requestJson('POST', '/api/images', ImageSchema, req);
}

/** Throws ApiError 409 while a VM definition uses the image. */
export function deleteImage(name: string): Promise<void> {
  return requestVoid('DELETE', `/api/images/${encodeURIComponent(name)}`);
}
