// The nftables rules of a managed network, in one table of its own: loaded atomically (`nft -f -`), removed as
// a whole (`nft delete table`).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { HostFault } from '../domain/errors.ts';
import { parseCidr } from './ipv4.ts';
import { nftTableName, type ManagedDefinition } from './network-definition.ts';

const execFileP = promisify(execFile);

/** Every value put into a rule matches one of these first: nothing a client sent reaches nft unchecked. */
const SAFE = {
  name: /^[a-z][a-z0-9-]{0,14}$/,
  iface: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/,
  ipv4: /^\d{1,3}(\.\d{1,3}){3}$/,
};

function checked(kind: keyof typeof SAFE, value: string): string {
  if (!SAFE[kind].test(value))
    throw new Error(`refusing to put ${kind} ${JSON.stringify(value)} into a rule`);
  return value;
}

function port(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`refusing port ${n} in a rule`);
  return n;
}

/**
 * The table's text. `nat`: masquerade of the subnet out of any other interface, port forwards as DNAT (from
 * outside in `prerouting`, from the host itself in `output`), forwarding only for the subnet and replies.
 * `isolated`: nothing forwarded from or to the bridge (the host itself, dnsmasq, still answers on it).
 * It deletes an older version of the table first (in the same transaction), so loading it again replaces it.
 */
export function rulesetOf(def: ManagedDefinition): string {
  const table = nftTableName(checked('name', def.name));
  const br = `"${checked('iface', def.bridge)}"`;
  parseCidr(def.subnet);
  const subnet = def.subnet;
  const lines = [`table ip ${table}`, `delete table ip ${table}`, `table ip ${table} {`];
  if (def.kind === 'isolated') {
    lines.push(
      '  chain forward {',
      '    type filter hook forward priority filter; policy accept;',
      `    iifname ${br} drop`,
      `    oifname ${br} drop`,
      '  }',
    );
  } else {
    const dnat = def.portForwards.map(
      (f) =>
        `${f.protocol === 'udp' ? 'udp' : 'tcp'} dport ${port(f.hostPort)} dnat to ` +
        `${checked('ipv4', f.guestAddress)}:${port(f.guestPort)}`,
    );
    lines.push(
      '  chain prerouting {',
      '    type nat hook prerouting priority dstnat; policy accept;',
      ...dnat.map((d) => `    fib daddr type local ${d}`),
      '  }',
      // NOTE: connections from the host itself to one of its addresses never pass prerouting; output's DNAT
      // catches them. 127.0.0.0/8 is left alone: a loopback source cannot be routed onto the bridge.
      '  chain output {',
      '    type nat hook output priority -100; policy accept;',
      ...dnat.map((d) => `    ip daddr != 127.0.0.0/8 fib daddr type local ${d}`),
      '  }',
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    ip saddr ${subnet} ip daddr != ${subnet} oifname != ${br} masquerade`,
      '  }',
      '  chain forward {',
      '    type filter hook forward priority filter; policy accept;',
      `    iifname ${br} ip saddr ${subnet} accept`,
      `    oifname ${br} ip daddr ${subnet} ct state established,related accept`,
      `    oifname ${br} ip daddr ${subnet} ct status dnat accept`,
      `    iifname ${br} drop`,
      `    oifname ${br} drop`,
      '  }',
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Loads the table (replacing it atomically). @throws HostFault with nft's words when nft refuses */
export async function loadRuleset(def: ManagedDefinition): Promise<void> {
  const text = rulesetOf(def);
  const { code, stderr } = await runWithInput('nft', ['-f', '-'], text);
  if (code !== 0) {
    throw new HostFault(
      'nft_failed',
      `nft could not load the rules of network ${def.name}: ${stderr.trim()}`,
    );
  }
}

export async function tableExists(name: string): Promise<boolean> {
  try {
    await execFileP('nft', ['list', 'table', 'ip', nftTableName(checked('name', name))], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Removes the network's table if it is there. Never rejects. */
export async function deleteTable(name: string): Promise<void> {
  if (!(await tableExists(name))) return;
  await execFileP('nft', ['delete', 'table', 'ip', nftTableName(checked('name', name))], {
    timeout: 10_000,
  }).catch(() => undefined);
}

function runWithInput(
  cmd: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (err) => resolve({ code: -1, stderr: err.message }));
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(input);
  });
}
