// AgentWatch against a fake qemu-ga: when facts are asked again (the real agent: test/guest-agent.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GuestAgentInfo } from '@virtweb/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentWatch } from './agent-watch.ts';
import { FakeAgent } from './testing/fake-agent.ts';

const until = async (what: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('AgentWatch', () => {
  let dir: string;
  let fake: FakeAgent;
  let watch: AgentWatch | undefined;
  let hostname = 'first';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'virtweb-qga-watch-'));
    hostname = 'first';
    fake = new FakeAgent(join(dir, 'qga.sock'), (cmd, socket) => {
      const answers: Record<string, unknown> = {
        'guest-get-host-name': { 'host-name': hostname },
        // An address: the facts are not asked at every ping for want of one.
        'guest-network-get-interfaces': [
          {
            name: 'eth0',
            'ip-addresses': [{ 'ip-address-type': 'ipv4', 'ip-address': '10.0.2.15', prefix: 24 }],
          },
        ],
      };
      socket.write(JSON.stringify({ return: answers[cmd.execute] ?? {} }) + '\n');
    });
  });
  afterEach(async () => {
    watch?.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks the facts again at the next ping once someone wants them fresher than they are', async () => {
    const seen: GuestAgentInfo[] = [];
    watch = new AgentWatch(join(dir, 'qga.sock'), (info) => seen.push(info), { pingMs: 30, factsMs: 60_000 });
    watch.start();
    await until(() => watch?.info.hostname === 'first');
    hostname = 'second';
    const pings = () => fake.received.filter((c) => c === 'guest-ping').length;
    const before = pings();
    await until(() => pings() >= before + 3);
    // Pings go on; the facts wait for their half-minute refresh.
    expect(watch.info.hostname).toBe('first');
    watch.wantFreshFacts(60_000);
    await until(() => pings() >= before + 6);
    expect(watch.info.hostname).toBe('first');
    watch.wantFreshFacts(0);
    await until(() => watch?.info.hostname === 'second');
    expect(seen.at(-1)?.hostname).toBe('second');
  });
});
