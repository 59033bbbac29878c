import { Router } from 'express';
import {
  ConvertImageRequestSchema,
  CreateImageRequestSchema,
  ResizeImageRequestSchema,
} from '@virtweb/protocol';
import type { ImageService } from '../images/image-service.ts';
import { parseOr400 } from './validate.ts';

/**
 * `/api/images`: list, create, inspect, delete, resize, convert and upload disk images and ISOs.
 * Resize and convert answer when done (201/200); their progress goes out as `image.progress` events.
 */
export function imagesRouter(images: ImageService): Router {
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
  // The raw body is the file (no multipart): streamed to disk, never through a body parser.
  r.put('/:name/upload', async (req, res) => {
    const header = req.headers['content-length'];
    const length = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
    try {
      res.status(201).json(await images.upload(req.params.name, { body: req, length }));
    } catch (err) {
      // Refused before (or while) reading the body: close the connection instead of reading GiBs to discard.
      if (!req.complete) res.setHeader('Connection', 'close');
      throw err;
    }
  });
  return r;
}
