// The test surface of @virtweb/qmp (`@virtweb/qmp/testing`): a fake qemu QMP server for unit tests of code that
// speaks QMP. Only tests import it; the server's build never reaches it.
export {
  FakeQmpServer,
  DEFAULT_GREETING,
  type FakeQmpServerOptions,
  type FakeHandler,
  type FakeReply,
  type ReceivedCommand,
} from './fake-qmp-server.ts';
