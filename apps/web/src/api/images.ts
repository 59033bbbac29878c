import { z } from 'zod';
import {
  ApiErrorBodySchema,
  ImageSchema,
  UploadedImageSchema,
  type ConvertImageRequest,
  type CreateImageRequest,
  type Image,
  type ResizeImageRequest,
  type UploadedImage,
} from '@virtweb/protocol';
import { ApiError, ClientErrorCode } from './errors.ts';
import { requestJson, requestVoid } from './http.ts';

const ImageListSchema = z.array(ImageSchema);
const imageUrl = (name: string) => `/api/images/${encodeURIComponent(name)}`;

export function listImages(): Promise<Image[]> {
  return requestJson('GET', '/api/images', ImageListSchema);
}

export function createImage(req: CreateImageRequest): Promise<Image> {
  return requestJson('POST', '/api/images', ImageSchema, req);
}

/** Throws ApiError 409 while a VM definition uses the image, it backs another image, or an operation runs. */
export function deleteImage(name: string): Promise<void> {
  return requestVoid('DELETE', imageUrl(name));
}

/** Throws ApiError 400 for an unconfirmed shrink, 409 `in_use` for shrinking an image a VM uses. */
export function resizeImage(name: string, req: ResizeImageRequest): Promise<Image> {
  return requestJson('POST', `${imageUrl(name)}/resize`, ImageSchema, req);
}

/** Answers when qemu-img is done; `image.progress` events report the way there. */
export function convertImage(name: string, req: ConvertImageRequest): Promise<Image> {
  return requestJson('POST', `${imageUrl(name)}/convert`, ImageSchema, req);
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Uploads a file as the raw request body (`PUT /api/images/:name/upload`). The one XMLHttpRequest of the app:
 * fetch cannot report upload progress. Aborting `signal` cancels the upload (the server removes the part file).
 *
 * @throws ApiError: the server's answer (409 exists or busy, 413 too large, 507 no space), status 0 for a
 *   network failure, or `aborted` when cancelled.
 */
export function uploadImage(
  name: string,
  file: Blob,
  opts: { onProgress?: (p: UploadProgress) => void; signal?: AbortSignal } = {},
): Promise<UploadedImage> {
  const path = `${imageUrl(name)}/upload`;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => opts.onProgress?.({ loaded: e.loaded, total: e.total || file.size });
    xhr.onload = () => {
      let json: unknown;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        const ok = UploadedImageSchema.safeParse(json);
        if (ok.success) resolve(ok.data);
        else reject(new ApiError(xhr.status, ClientErrorCode.badResponse, `PUT ${path}: unexpected answer`));
        return;
      }
      const err = ApiErrorBodySchema.safeParse(json);
      reject(
        err.success
          ? new ApiError(
              xhr.status,
              err.data.error.code,
              err.data.error.message,
              err.data.error.details ?? [],
            )
          : new ApiError(xhr.status, `http_${xhr.status}`, `PUT ${path}: ${xhr.status} ${xhr.statusText}`),
      );
    };
    xhr.onerror = () =>
      reject(new ApiError(0, ClientErrorCode.network, `uploading ${name} failed: the connection broke`));
    xhr.onabort = () => reject(new ApiError(0, UPLOAD_ABORTED, `uploading ${name} was cancelled`));
    if (opts.signal?.aborted) {
      reject(new ApiError(0, UPLOAD_ABORTED, `uploading ${name} was cancelled`));
      return;
    }
    opts.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** The ApiError code of an upload the user cancelled. */
export const UPLOAD_ABORTED = 'aborted';
