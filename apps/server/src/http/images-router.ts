import { Router } from 'express';
import { CreateImageRequestSchema } from '@virtweb/protocol';
import type { ImageService } from '../images/image-service.ts';
import { parseOr400 } from './validate.ts';

/** `/api/images`: list, create, inspect and delete disk images and ISOs. */
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
  return r;
}
