// The guest agent client against a fake qemu-ga on a temp unix socket (the real one: test/guest-agent.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentConnection, GuestAgentRefused, GuestAgentTimeout } from './agent-connection.ts';
import { answer, FakeAgent } from './testing/fake-agent.ts';
import { GuestAgent } from './guest-agent.ts';

describe('AgentConnection', () => {
  let dir: string;
  let path: string;
  let fake: FakeAgent | undefined;
  let conn: AgentConnection | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'virtweb-qga-'));
    path = join(dir, 'qga.sock');
  });
  afterEach(async () => {
    conn?.close();
    await fake?.close();
    fake = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('synchronises past stale answers, then runs typed commands', async () => {
    fake = new FakeAgent(path, (cmd, socket) => {
      const answers: Record<string, unknown> = {
        'guest-get-host-name': { 'host-name': 'tinylinux' },
        'guest-network-get-interfaces': [
          {
            name: 'eth0',
            'hardware-address': '52:54:00:12:34:56',
            'ip-addresses': [{ 'ip-address-type': 'ipv4', 'ip-address': '10.0.2.15', prefix: 24 }],
          },
        ],
        'guest-get-osinfo': { 'pretty-name': 'Debian 12', id: 'debian', version: '12' },
      };
      socket.write(JSON.stringify({ return: answers[cmd.execute] ?? {} }) + '\n');
    });
    fake.stale = '{"return": {"host-name": "stale"}}\n\xff{"return": 1}\n';
    conn = new AgentConnection(path, 2000);
    const agent = new GuestAgent(conn);
    expect(await agent.hostname()).toBe('tinylinux');
    expect(await agent.interfaces()).toEqual([
      {
        name: 'eth0',
        mac: '52:54:00:12:34:56',
        addresses: [{ family: 'ipv4', address: '10.0.2.15', prefix: 24 }],
      },
    ]);
    expect(await agent.os()).toEqual({ name: 'Debian 12', id: 'debian', version: '12' });
    expect(fake.connections).toBe(1);
  });

  it('gives up on an agent that never answers, says so, and closes the channel', async () => {
    fake = new FakeAgent(path, () => undefined);
    fake.sync = false;
    conn = new AgentConnection(path, 300);
    const err = await new GuestAgent(conn).ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestAgentTimeout);
    expect((err as Error).message).toBe('the guest agent did not answer guest-ping within 0.3 s');
    expect(conn.open).toBe(false);
    await expect.poll(() => fake?.open).toBe(0);
    // Synchronised, but silent on the command itself: the same.
    fake.sync = true;
    await expect(conn.execute('guest-info', undefined, { timeoutMs: 200 })).rejects.toThrow(
      'did not answer guest-info within 0.2 s',
    );
    await expect.poll(() => fake?.open).toBe(0);
  });

  it('closes on garbage and opens again for the next command', async () => {
    let garbage = true;
    fake = new FakeAgent(path, (_cmd, socket) => {
      socket.write(garbage ? 'this is not json\n' : '{"return": {}}\n');
      garbage = false;
    });
    conn = new AgentConnection(path, 1000);
    await expect(conn.execute('guest-ping')).rejects.toThrow(/not JSON: "this is not json"/);
    expect(conn.open).toBe(false);
    await expect(conn.execute('guest-ping')).resolves.toEqual({});
    expect(fake.connections).toBe(2);
  });

  it("reports the agent's refusal and keeps the channel", async () => {
    fake = new FakeAgent(path, (_cmd, socket) =>
      socket.write('{"error": {"class": "GenericError", "desc": "freeze hook failed"}}\n'),
    );
    conn = new AgentConnection(path, 1000);
    const err = await conn.execute('guest-fsfreeze-freeze').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestAgentRefused);
    expect((err as Error).message).toBe('the guest agent refused guest-fsfreeze-freeze: freeze hook failed');
    expect(conn.open).toBe(true);
  });

  it('sends one command at a time', async () => {
    const order: string[] = [];
    fake = new FakeAgent(path, (cmd, socket) => {
      order.push(`got ${cmd.execute}`);
      setTimeout(() => {
        order.push(`answered ${cmd.execute}`);
        socket.write('{"return": 0}\n');
      }, 50);
    });
    conn = new AgentConnection(path, 1000);
    await Promise.all([conn.execute('guest-fsfreeze-freeze'), conn.execute('guest-fsfreeze-thaw')]);
    expect(order).toEqual([
      'got guest-fsfreeze-freeze',
      'answered guest-fsfreeze-freeze',
      'got guest-fsfreeze-thaw',
      'answered guest-fsfreeze-thaw',
    ]);
  });

  it('takes no answer to guest-shutdown as success, and its error as failure', async () => {
    fake = new FakeAgent(path, () => undefined);
    conn = new AgentConnection(path, 1000);
    await expect(
      conn.execute('guest-shutdown', { mode: 'powerdown' }, { answersOnlyErrors: true, timeoutMs: 200 }),
    ).resolves.toBeUndefined();
    fake.reply = (_cmd, socket) =>
      socket.write('{"error": {"class": "GenericError", "desc": "child process has failed to shutdown"}}\n');
    await expect(
      conn.execute('guest-shutdown', { mode: 'powerdown' }, { answersOnlyErrors: true, timeoutMs: 1000 }),
    ).rejects.toThrow('child process has failed to shutdown');
  });

  it('says when nothing listens on the channel', async () => {
    conn = new AgentConnection(join(dir, 'none.sock'), 1000);
    await expect(conn.execute('guest-ping')).rejects.toThrow('no guest agent channel');
  });

  it('checks answers against what qemu-ga gives', async () => {
    fake = new FakeAgent(path, answer({ name: 42 }));
    conn = new AgentConnection(path, 1000);
    await expect(new GuestAgent(conn).hostname()).rejects.toThrow(
      "the guest agent's answer to guest-get-host-name is not what qemu-ga gives",
    );
  });
});
