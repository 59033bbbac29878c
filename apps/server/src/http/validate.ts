import type { z } from 'zod';
import { validationError } from './errors.ts';

/** Parses untrusted input with a protocol schema. @throws HttpError 400 listing every bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}
