// The one place where services' domain errors become HTTP answers: each kind's status, and its code,
// message and details unchanged in the body, through the real error handler of a small app.
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Conflict,
  Invalid,
  NoSpace,
  NotFound,
  PeerRefused,
  type DomainError,
  type DomainErrorKind,
} from '../domain/errors.ts';
import { ONE_OF_EACH_KIND } from '../domain/test-support.ts';
import { errorHandler } from './errors.ts';
import { serveOnLoopback } from './test-support.ts';

const field = [{ path: 'disks.0.image', message: 'no such image' }];

/** The status of each kind (the Record makes a kind added later fail to compile here until it is mapped). */
const STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  tooLarge: 413,
  throttled: 429,
  hostFault: 500,
  unavailable: 502,
  peerRefused: 404,
  noSpace: 507,
};

/** More cases of the kinds whose answer depends on more than the kind. */
const MORE: { name: string; err: DomainError; status: number }[] = [
  {
    name: "a qemu-img refusal: Invalid with qemu-img's code",
    err: new Invalid('x', undefined, 'qemu_failed'),
    status: 400,
  },
  {
    name: 'a peer refusal of any 4xx keeps it',
    err: new PeerRefused(418, 'conflict', 'teapot'),
    status: 418,
  },
  {
    name: 'a peer "refusal" outside 4xx is a peer failing',
    err: new PeerRefused(503, 'x', 'y'),
    status: 502,
  },
  { name: 'a NotFound in words of its own', err: new NotFound('VM x', 'no VM x'), status: 404 },
  {
    name: 'a rephrased error keeps its kind',
    err: new NoSpace('qemu_failed', 'full').rephrased('a: full', field),
    status: 507,
  },
];

const CASES = [
  ...Object.entries(ONE_OF_EACH_KIND).map(([kind, err]) => ({
    name: kind,
    err,
    status: STATUS[kind as DomainErrorKind],
  })),
  ...MORE,
];

let url = '';
let close: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  const app = express();
  CASES.forEach((c, i) => {
    app.get(`/case/${String(i)}`, () => {
      throw c.err;
    });
  });
  app.use(errorHandler);
  ({ url, close } = await serveOnLoopback(app));
});

afterAll(async () => {
  await close();
});

describe('the error handler', () => {
  it.each(CASES.map((c, i) => [c.name, i] as const))(
    'answers a domain error (%s) with its status and {error:{code,message,details}}',
    async (_name, i) => {
      const c = CASES[i]!;
      const res = await fetch(`${url}/case/${String(i)}`);
      expect(res.status).toBe(c.status);
      expect(await res.json()).toEqual({
        error: {
          code: c.err.code,
          message: c.err.message,
          ...(c.err.details === undefined ? {} : { details: c.err.details }),
        },
      });
    },
  );

  it('gives NotFound and Invalid their codes, and keeps kind and code when rephrased', () => {
    expect(new NotFound('VM 0123456789ab')).toMatchObject({
      code: 'not_found',
      message: 'VM 0123456789ab not found',
    });
    expect(new Invalid('x').code).toBe('validation_failed');
    for (const err of [new Conflict('in_use', 'used'), new Invalid('used', undefined, 'qemu_failed')]) {
      const rephrased = err.rephrased('disks.0.image: used', field);
      expect(rephrased).toBeInstanceOf(err.constructor);
      expect(rephrased).toMatchObject({ kind: err.kind, code: err.code, message: 'disks.0.image: used' });
      expect(rephrased.details).toEqual(field);
    }
    const relayed = new PeerRefused(418, 'conflict', 'teapot').rephrased('x: teapot');
    expect(relayed).toMatchObject({ kind: 'peerRefused', peerStatus: 418, code: 'conflict' });
    expect(new NotFound('VM x').rephrased('vm: VM x not found')).toMatchObject({ code: 'not_found' });
  });
});
