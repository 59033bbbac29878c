import {
  Conflict,
  Forbidden,
  HostFault,
  Invalid,
  NoSpace,
  NotFound,
  PeerRefused,
  Throttled,
  TooLarge,
  Unavailable,
  type DomainError,
  type DomainErrorKind,
} from './errors.ts';

const field = [{ path: 'disks.0.image', message: 'no such image' }];

/**
 * One error of every kind, as services throw them, for the tests of each layer that maps them (a kind added
 * later fails to compile here until it has an example).
 */
export const ONE_OF_EACH_KIND: Record<DomainErrorKind, DomainError> = {
  invalid: new Invalid('disks.0.image: no such image', field),
  forbidden: new Forbidden('forbidden', 'the peer refused this token'),
  notFound: new NotFound('VM 0123456789ab', 'no VM 0123456789ab'),
  conflict: new Conflict('busy', 'the VM is busy starting the VM', field),
  tooLarge: new TooLarge('too_large', '2 GiB is more than the upload limit of 1 GiB'),
  throttled: new Throttled('conflict', '9000 characters are still waiting to be typed'),
  hostFault: new HostFault('qemu_failed', 'creating x: cannot run qemu-img'),
  unavailable: new Unavailable('peer_failed', 'http://b:8080 did not answer'),
  peerRefused: new PeerRefused(404, 'not_found', 'http://b:8080 said: VM x not found'),
  noSpace: new NoSpace('too_large', 'not enough free space for 2 GiB'),
};
