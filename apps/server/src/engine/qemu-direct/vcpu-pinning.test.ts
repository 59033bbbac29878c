import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { pinVcpus } from './vcpu-pinning.ts';

const children: { kill: () => boolean }[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

const allowed = (pid: number) =>
  /^Cpus_allowed_list:\s*(\S+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

describe('vCPU pinning', () => {
  it("sets the threads' affinity, vCPU by vCPU, and leaves unpinned ones alone", async () => {
    // Two processes stand in for two vCPU threads (any thread id works for taskset -p).
    const a = spawn('sleep', ['30']);
    const b = spawn('sleep', ['30']);
    children.push(a, b);
    const before = allowed(b.pid ?? 0);
    const qmp = {
      execute: () =>
        Promise.resolve([
          { 'cpu-index': 0, 'thread-id': a.pid ?? 0 },
          { 'cpu-index': 1, 'thread-id': b.pid ?? 0 },
        ]),
    } as unknown as Parameters<typeof pinVcpus>[0];
    await pinVcpus(qmp, [[0]]);
    expect(allowed(a.pid ?? 0)).toBe('0');
    expect(allowed(b.pid ?? 0)).toBe(before);
  });

  it("says taskset's words when a thread cannot be pinned", async () => {
    const qmp = {
      execute: () => Promise.resolve([{ 'cpu-index': 0, 'thread-id': 2 ** 22 + 7 }]),
    } as unknown as Parameters<typeof pinVcpus>[0];
    await expect(pinVcpus(qmp, [[0]])).rejects.toThrow(/cannot pin vCPU 0 to host CPUs 0: .*No such process/);
  });
});
