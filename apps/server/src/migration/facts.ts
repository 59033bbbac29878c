// What the migration checks know of both hosts: this one's facts and the peer's (fetched for every check).
import type { HostInfo, Image, Vm } from '@virtweb/protocol';

/** This host's side: the VM as the API shows it, the local qemu, and the facts of the VM's images here. */
export interface LocalFacts {
  vm: Vm;
  qemuVersion: string;
  /** This host's image store id (`images/store-id.ts`). */
  storeId: string;
  images: ReadonlyMap<string, { virtualSize: number; backingFile?: string | undefined }>;
}

/** The peer's side, fetched fresh for every check (`peerFacts`). */
export type PeerFacts =
  | {
      reachable: true;
      name: string;
      latencyMs: number;
      /** The migration protocol both hosts speak. */
      protocol: number;
      /** The peer's image store id (from the handshake); undefined from an older peer. */
      storeId: string | undefined;
      host: HostInfo;
      vms: Vm[];
      images: Image[];
    }
  | {
      reachable: false;
      name: string;
      message: string;
      /** It answers, but speaks another migration protocol: `message` is its words (both versions). */
      otherProtocol?: true;
    };
