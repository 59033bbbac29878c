// Shared by the migration service's unit tests: a peer's API on loopback.
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { errorHandler, notFound } from '../http/errors.ts';

/**
 * A peer's API on loopback: these handlers under /api in order (404 for the rest, errors as the server
 * answers them); its URL and how to stop it.
 */
export async function serveApi(
  ...handlers: RequestHandler[]
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.use('/api', ...handlers);
  app.use('/api', () => {
    throw notFound('route');
  });
  app.use(errorHandler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
