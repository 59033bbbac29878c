import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authMatrixCases, csrfCases, unauthenticatedBodyCases } from './auth-cases.ts';
import { bodyCases } from './body-cases.ts';
import { runHttpCase, type HttpCase } from './check.ts';
import { httpEdgeCases, loginCases } from './edge-cases.ts';
import { Fixture } from './fixture.ts';
import { fuzzCases, SEED } from './fuzz-cases.ts';
import { nameCases, rawPathCases } from './name-cases.ts';
import { uploadCases } from './upload-cases.ts';
import { CANARY } from './verify-accepted.ts';
import { wsAuthCases, wsFrameCases, type WsCase } from './ws-cases.ts';
import { runWsCase } from './ws-run.ts';

// The hostile-input suite (issue 12): generated cases over every route and websocket of the API, each
// asserting its status or close code, the error shape, that the server lives and that nothing changed.
const GROUPS: [string, HttpCase[] | WsCase[]][] = [
  ['auth: every route as every caller', authMatrixCases()],
  ['auth: bodies of unauthenticated requests are not parsed', unauthenticatedBodyCases()],
  ['csrf: cookie requests from elsewhere', csrfCases()],
  ['bodies: malformed, mis-typed, oversized, mis-encoded', bodyCases()],
  [`bodies: seeded mutations (seed ${SEED.toString(16)})`, fuzzCases()],
  ['names: traversal, pseudo-protocols, argv injection', nameCases()],
  ['paths: raw traversal and malformed escapes', rawPathCases()],
  ['uploads: no length, too large, cut short, unsafe content', uploadCases()],
  ['websockets: every socket as every caller', wsAuthCases()],
  ['http: broken requests', httpEdgeCases()],
  // After the rest: wrong passwords may start the login throttle, and a server that dies of a frame takes
  // every later case with it.
  ['login: broken bodies and wrong passwords', loginCases()],
  ['websockets: oversized and invalid frames', wsFrameCases()],
];

const isWs = (c: HttpCase | WsCase): c is WsCase => 'status' in c;

describe('hostile input', () => {
  const fx = new Fixture();

  beforeAll(async () => {
    fs.rmSync(CANARY, { force: true });
    await fx.start();
  });
  afterAll(async () => {
    await fx.stop();
  });

  it(`has at least 500 cases (${GROUPS.map(([g, c]) => `${g}: ${c.length}`).join('; ')})`, () => {
    expect(GROUPS.reduce((n, [, c]) => n + c.length, 0)).toBeGreaterThanOrEqual(500);
  });

  for (const [group, cases] of GROUPS) {
    describe(group, () => {
      let before = '';
      beforeAll(async () => {
        before = await fx.fullSnapshot();
      });
      for (const c of cases) {
        it(c.name, async () => {
          if (isWs(c)) await runWsCase(fx, c);
          else await runHttpCase(fx, c);
        });
      }
      it(`leaves images, saved states and VMs as they were (group: ${group})`, async () => {
        expect(await fx.fullSnapshot()).toBe(before);
        expect(fs.existsSync(CANARY), 'a hostile value ran a shell command').toBe(false);
      });
    });
  }
});
