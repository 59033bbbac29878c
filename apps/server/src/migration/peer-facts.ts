// What the precondition checks need to know of the peer, asked fresh for every check.
import { HostInfoSchema, ImageSchema, VmSchema } from '@virtweb/protocol';
import { z } from 'zod';
import { MAX_LIST_ANSWER_BYTES } from '../peers/peer-answer.ts';
import type { PeerClient } from '../peers/peer-client.ts';
import type { PeerFacts } from './facts.ts';
import { askProtocol } from './target-calls.ts';

/**
 * The peer's migration protocol, then its host, guests and images; `reachable: false` with the reason when
 * it fails, and with the peer's words when it speaks another migration protocol.
 * NOTE: the protocol is asked first: a peer of another version may answer the rest in shapes this host
 * cannot read, and its refusal says why.
 */
export async function peerFacts(client: PeerClient, name: string): Promise<PeerFacts> {
  const started = performance.now();
  try {
    const protocol = await askProtocol(client, name);
    if (!protocol.ok) return { reachable: false, name, message: protocol.refusal, otherProtocol: true };
    const [host, vms, images] = await Promise.all([
      client.get('/api/host', HostInfoSchema, 20_000),
      client.get('/api/vms', z.array(VmSchema), 10_000, MAX_LIST_ANSWER_BYTES),
      client.get('/api/images', z.array(ImageSchema), 20_000, MAX_LIST_ANSWER_BYTES),
    ]);
    const latencyMs = Math.round(performance.now() - started);
    const { version, storeId } = protocol;
    return { reachable: true, name, latencyMs, protocol: version, storeId, host, vms, images };
  } catch (err) {
    return { reachable: false, name, message: err instanceof Error ? err.message : String(err) };
  }
}
