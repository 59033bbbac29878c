import { z } from 'zod';

/** A device slot of a guest (`what`: "NIC", "USB"), 0 to `count` - 1: the device keeps it for its life. */
export const slotSchema = (count: number, what: string) =>
  z
    .number()
    .int(`a ${what} slot is a whole number`)
    .min(0, `${what} slots are 0 to ${count - 1}`)
    .max(count - 1, `${what} slots are 0 to ${count - 1}`);
