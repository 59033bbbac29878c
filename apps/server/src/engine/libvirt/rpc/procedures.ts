// The procedure numbers of libvirt's remote protocol this engine calls (remote_protocol.x, qemu_protocol.x);
// the numbers never change once released.

export const RemoteProc = {
  connectOpen: 1,
  connectClose: 2,
  nodeGetInfo: 6,
  domainDefineXml: 11,
  domainDestroy: 12,
  domainGetXmlDesc: 14,
  domainLookupByName: 23,
  domainLookupByUuid: 24,
  domainResume: 28,
  domainSuspend: 34,
  connectGetHostname: 59,
  authList: 66,
  authPolkit: 70,
  domainCreateWithFlags: 196,
  domainOpenConsole: 201,
  domainGetState: 212,
  domainUndefineFlags: 231,
  domainDestroyFlags: 234,
  domainReset: 245,
  domainShutdownFlags: 258,
  connectListAllDomains: 273,
  connectDomainEventCallbackRegisterAny: 316,
  domainEventCallbackLifecycle: 318,
} as const;

export const QemuProc = {
  domainMonitorCommand: 1,
  connectDomainMonitorEventRegister: 4,
  domainMonitorEvent: 6,
} as const;

/** virDomainState. */
export const DomainState = {
  nostate: 0,
  running: 1,
  blocked: 2,
  paused: 3,
  shutdown: 4,
  shutoff: 5,
  crashed: 6,
  pmsuspended: 7,
} as const;

/** virDomainEventType and the details of `stopped` (virDomainEventStoppedDetailType). */
export const DomainEvent = { stopped: 5 } as const;
export const StoppedDetail = {
  shutdown: 0,
  destroyed: 1,
  crashed: 2,
  migrated: 3,
  saved: 4,
  failed: 5,
} as const;

/** virDomainEventID: lifecycle. */
export const EVENT_ID_LIFECYCLE = 0;

export const Flags = {
  /** VIR_DOMAIN_START_PAUSED */
  startPaused: 1,
  /** VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP */
  monitorHmp: 1,
  /** VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | SNAPSHOTS_METADATA | NVRAM | CHECKPOINTS_METADATA */
  undefineAll: 1 | 2 | 4 | 32,
  /** VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN */
  shutdownAcpi: 1,
  /** VIR_DOMAIN_CONSOLE_FORCE */
  consoleForce: 1,
  /** VIR_CONNECT_LIST_DOMAINS_ACTIVE | INACTIVE: 0 lists both */
  listAll: 0,
} as const;

/** remote_auth_type */
export const AuthType = { none: 0, sasl: 1, polkit: 2 } as const;
