import { Router } from 'express';
import {
  ConvertImageRequestSchema,
  CreateImageRequestSchema,
  ErrorCode,
  ResizeImageRequestSchema,
} from '@virtweb/protocol';
import type { ImageService } from '../images/image-service.ts';
import { cutOffWhenIdle, refuseContentEncoding } from './edge.ts';
import { HttpError } from './errors.ts';
import { parseOr400 } from './validate.ts';

/**
 * `/api/images`: list, create, inspect, delete, resize, convert and upload disk images and ISOs.
 * Resize and convert answer when done (201/200); their progress goes out as `image.progress` events.
 */
export function imagesRouter(images: ImageService, uploadIdleMs: number): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    res.json(await images.list());
  });
  r.post('/', async (req, res) => {
    const body = parseOr400(CreateImageRequestSchema, req.body);
    res.status(201).json(await images.create(body));
  });
  r.get('/:name', async (req, res) => {
    res.json(await images.get(req.params.name));
  });
  r.delete('/:name', async (req, res) => {
    await images.delete(req.params.name);
    res.status(204).end();
  });
  r.post('/:name/resize', async (req, res) => {
    const body = parseOr400(ResizeImageRequestSchema, req.body);
    res.json(await images.resize(req.params.name, body));
  });
  r.post('/:name/convert', async (req, res) => {
    const body = parseOr400(ConvertImageRequestSchema, req.body);
    res.status(201).json(await images.convert(req.params.name, body));
  });
  // The raw body is the file (no multipart): streamed to disk, never through a body parser. A refusal before
  // (or while) reading it closes the connection instead of reading GiBs to discard (errors.ts).
  r.put('/:name/upload', async (req, res) => {
    refuseContentEncoding(req);
    const header = req.headers['content-length'];
    const length = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
    cutOffWhenIdle(req, res, uploadIdleMs);
    if (length === undefined) {
      images.path(req.params.name); // a bad name is refused first, as in every other image route
      throw new HttpError(411, ErrorCode.validation, 'an upload needs a Content-Length');
    }
    res.status(201).json(await images.upload(req.params.name, { body: req, length }));
  });
  return r;
}
