import type { z } from 'zod';
import { invalidFields } from '../domain/errors.ts';

/** Parses untrusted input with a protocol schema. @throws Invalid (400) listing every bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidFields(result.error);
  return result.data;
}
