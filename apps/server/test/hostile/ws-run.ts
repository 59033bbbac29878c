import { ApiErrorBodySchema } from '@virtweb/protocol';
import { label } from './check.ts';
import type { Fixture } from './fixture.ts';
import { wsUpgrade, type RawWs, type WsOutcome } from './raw-ws.ts';
import type { WsCase } from './ws-cases.ts';

const BUSY = /another window/;

/** Opens a console and keeps it: retried while the previous case's viewer still holds it. */
async function holdConsole(fx: Fixture, path: string): Promise<RawWs> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const res = await wsUpgrade(fx.port, path, fx.auth('session'));
    if (res.ws && (await res.ws.outcome(150)) === 'open') return res.ws;
    res.ws?.sock.destroy();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`could not hold ${path}`);
}

/** Runs a websocket case; a one-viewer console still held by the previous case is retried. */
export async function runWsCase(fx: Fixture, c: WsCase): Promise<void> {
  const problems: string[] = [];
  const holder = c.holdFirst ? await holdConsole(fx, c.path(fx.t)) : undefined;
  for (let attempt = 0; ; attempt++) {
    const res = await wsUpgrade(fx.port, c.path(fx.t), c.headers(fx));
    if (!c.status.includes(res.status))
      problems.push(`upgrade answered ${res.status}, expected ${c.status.join('|')}`);
    if (!res.ws) {
      if (res.status >= 400 && !ApiErrorBodySchema.safeParse(res.json).success) {
        problems.push(`the refusal is not {error:{code,message}}: ${label(res.body.toString())}`);
      }
      break;
    }
    if (!c.frames) {
      await res.ws.close();
      break;
    }
    for (const f of c.frames()) res.ws.write(f);
    const outcome: WsOutcome = await res.ws.outcome(5000);
    res.ws.sock.destroy();
    if (!holder && outcome !== 'open' && outcome.code === 4409 && BUSY.test(outcome.reason) && attempt < 40) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const code = outcome === 'open' ? 'none (still open after 5 s)' : `${outcome.code} ${outcome.reason}`;
    if (outcome === 'open' || !(c.close ?? []).includes(outcome.code)) {
      problems.push(`closed with ${code}, expected ${(c.close ?? []).join('|')}`);
    }
    break;
  }
  await holder?.close();
  const after = await fx.afterCase(true);
  if (after) problems.push(after);
  if (problems.length > 0) throw new Error(`${c.name}\n  ${problems.join('\n  ')}`);
}
