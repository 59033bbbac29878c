import path from 'node:path';
import express from 'express';
import { z } from 'zod';
import { AccelSchema, formatBytes, MAX_IMAGE_BYTES, parseSize, ServerNameSchema } from '@virtweb/protocol';
import type { FirstRun } from './auth/first-admin.ts';
import { DEFAULT_EDGE_TIMEOUTS, type EdgeTimeouts } from './http/edge-limits.ts';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './images/limits.ts';

const seconds = (defaultMs: number) =>
  z.coerce
    .number()
    .positive()
    .default(defaultMs / 1000);

const EnvSchema = z.object({
  VIRTWEB_HOST: z.string().min(1).default('127.0.0.1'),
  VIRTWEB_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  /** `off`: plain HTTP (behind a TLS proxy); else HTTPS with the admin's certificate or a generated one. */
  VIRTWEB_TLS: z.enum(['on', 'off']).default('on'),
  VIRTWEB_TLS_CERT: z.string().min(1).optional(),
  VIRTWEB_TLS_KEY: z.string().min(1).optional(),
  /** The display name peers see until the admin renames the server (default: the hostname). */
  VIRTWEB_NAME: ServerNameSchema.optional(),
  VIRTWEB_DATA_DIR: z.string().min(1).default('./data'),
  VIRTWEB_PASSWORD: z.string().min(1).optional(),
  /** A data dir with no users: `password` generates the admin's and prints it; `setup-code` prints a code. */
  VIRTWEB_FIRST_RUN: z.enum(['password', 'setup-code']).default('password'),
  VIRTWEB_ACCEL: AccelSchema.default('auto'),
  VIRTWEB_QEMU: z.string().min(1).default('qemu-system-x86_64'),
  VIRTWEB_QEMU_IMG: z.string().min(1).default('qemu-img'),
  /** The unprivileged user qemu runs as when the server is root (a name, as useradd allows them). */
  VIRTWEB_QEMU_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'not a user name (a-z 0-9 _ -, starting with a letter or _)')
    .default('virtweb-qemu'),
  /** Define a demo guest from images/tinylinux.iso on the first start of a new data dir. */
  VIRTWEB_DEMO: z.enum(['0', '1']).default('1'),
  /** `off`: no `default` NAT network is created on the first start (it is when the server may make bridges). */
  VIRTWEB_DEFAULT_NETWORK: z.enum(['on', 'off']).default('on'),
  /** Seconds an ACPI shutdown may take before the server escalates to `quit`. */
  VIRTWEB_SHUTDOWN_TIMEOUT: z.coerce.number().positive().default(30),
  /** 1: stopping the server shuts the running guests down (reverse autostart order) instead of leaving them. */
  VIRTWEB_SHUTDOWN_GUESTS: z.enum(['0', '1']).default('0'),
  /** Where the host's USB devices are listed (sysfs; a container may see the host's elsewhere). */
  VIRTWEB_USB_SYSFS: z.string().min(1).default('/sys/bus/usb/devices'),
  /** The file that names this boot of the host: a new value means the host rebooted (guests autostart). */
  VIRTWEB_BOOT_ID_FILE: z.string().min(1).default('/proc/sys/kernel/random/boot_id'),
  /** The built web app, served at `/` (default: apps/web/dist of this checkout). */
  VIRTWEB_WEB_DIR: z.string().optional(),
  /** Where OVMF (UEFI firmware, Debian's `ovmf`) is looked for. */
  VIRTWEB_OVMF_DIR: z.string().min(1).default('/usr/share/OVMF'),
  /** Which proxies may tell the client's address and protocol (X-Forwarded-For/-Proto); unset: none. */
  VIRTWEB_TRUST_PROXY: z.string().optional(),
  VIRTWEB_HEADERS_TIMEOUT: seconds(DEFAULT_EDGE_TIMEOUTS.headersMs),
  VIRTWEB_BODY_TIMEOUT: seconds(DEFAULT_EDGE_TIMEOUTS.bodyMs),
  VIRTWEB_UPLOAD_IDLE: seconds(DEFAULT_EDGE_TIMEOUTS.uploadIdleMs),
  /** Sizes like "64G" or bytes; checked in `sizeVar`. */
  VIRTWEB_MAX_UPLOAD: z.string().optional(),
  VIRTWEB_MAX_IMAGE_SIZE: z.string().optional(),
  /** Days the task log keeps an entry. */
  VIRTWEB_TASK_RETENTION_DAYS: z.coerce.number().int().positive().max(36500).default(30),
  /** 1: log where each guest start spends its time (`start <id>: checks 2 ms, launch 40 ms, ...`). */
  VIRTWEB_DEBUG_TIMING: z.enum(['0', '1']).default('0'),
});

/** Express's `trust proxy` setting: false (trust no proxy), a hop count, or addresses, CIDRs and names. */
export type TrustProxy = false | number | string[];

/**
 * How the server speaks: plain HTTP; HTTPS with the certificate generated in `dir` (on the first start); or
 * HTTPS with the admin's own PEM files.
 */
export type TlsSetting =
  { mode: 'off' } | { mode: 'generated'; dir: string } | { mode: 'files'; certPath: string; keyPath: string };

export interface Config {
  host: string;
  port: number;
  tls: TlsSetting;
  /** VIRTWEB_NAME: the display name until renamed on the Host page (undefined: the hostname). */
  name: string | undefined;
  dataDir: string;
  imagesDir: string;
  runDir: string;
  nvramDir: string;
  /** Each TPM guest's swtpm state: `<data>/tpm/<id>/`. */
  tpmDir: string;
  statesDir: string;
  /** Each guest's serial output: `<data>/logs/<id>.serial.log`. */
  logsDir: string;
  dbPath: string;
  password: string | undefined;
  firstRun: FirstRun;
  accel: z.infer<typeof AccelSchema>;
  qemuBinary: string;
  qemuImgBinary: string;
  qemuUser: string;
  demo: boolean;
  /** Create the `default` NAT network on the first start (VIRTWEB_DEFAULT_NETWORK). */
  defaultNetwork: boolean;
  /** Where the host's USB devices are listed (VIRTWEB_USB_SYSFS). */
  usbSysfs: string;
  /** Where managed networks keep dnsmasq's files: `<data>/networks`. */
  networksDir: string;
  shutdownTimeoutMs: number;
  shutdownGuests: boolean;
  bootIdFile: string;
  webDir: string;
  ovmfDir: string;
  trustProxy: TrustProxy;
  edgeTimeouts: EdgeTimeouts;
  imageLimits: ImageLimits;
  taskRetentionDays: number;
  debugTiming: boolean;
}

// NOTE: a unix socket path is limited to 107 bytes; the longest one is <data>/run/<12 hex>/qmp-user.sock.
const LONGEST_SOCKET_SUFFIX = '/run/0123456789ab/qmp-user.sock'.length;

/** Reads the configuration from the environment. @throws Error with a readable message on bad values. */
export function loadConfig(env: NodeJS.ProcessEnv, defaultWebDir: string): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`bad configuration: ${msg}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.VIRTWEB_DATA_DIR);
  if (Buffer.byteLength(dataDir) + LONGEST_SOCKET_SUFFIX > 107) {
    throw new Error(
      `VIRTWEB_DATA_DIR ${dataDir} is too long: unix socket paths below it would exceed 107 bytes`,
    );
  }
  return {
    host: e.VIRTWEB_HOST,
    port: e.VIRTWEB_PORT,
    tls: tlsSetting(e, dataDir),
    name: e.VIRTWEB_NAME,
    dataDir,
    imagesDir: path.join(dataDir, 'images'),
    runDir: path.join(dataDir, 'run'),
    nvramDir: path.join(dataDir, 'nvram'),
    tpmDir: path.join(dataDir, 'tpm'),
    statesDir: path.join(dataDir, 'states'),
    logsDir: path.join(dataDir, 'logs'),
    dbPath: path.join(dataDir, 'virtweb.db'),
    password: e.VIRTWEB_PASSWORD,
    firstRun: e.VIRTWEB_FIRST_RUN,
    accel: e.VIRTWEB_ACCEL,
    qemuBinary: e.VIRTWEB_QEMU,
    qemuImgBinary: e.VIRTWEB_QEMU_IMG,
    qemuUser: e.VIRTWEB_QEMU_USER,
    demo: e.VIRTWEB_DEMO === '1',
    defaultNetwork: e.VIRTWEB_DEFAULT_NETWORK === 'on',
    networksDir: path.join(dataDir, 'networks'),
    usbSysfs: e.VIRTWEB_USB_SYSFS,
    shutdownTimeoutMs: e.VIRTWEB_SHUTDOWN_TIMEOUT * 1000,
    shutdownGuests: e.VIRTWEB_SHUTDOWN_GUESTS === '1',
    bootIdFile: e.VIRTWEB_BOOT_ID_FILE,
    webDir: path.resolve(e.VIRTWEB_WEB_DIR ?? defaultWebDir),
    ovmfDir: path.resolve(e.VIRTWEB_OVMF_DIR),
    trustProxy: parseTrustProxy(e.VIRTWEB_TRUST_PROXY),
    taskRetentionDays: e.VIRTWEB_TASK_RETENTION_DAYS,
    debugTiming: e.VIRTWEB_DEBUG_TIMING === '1',
    edgeTimeouts: {
      headersMs: e.VIRTWEB_HEADERS_TIMEOUT * 1000,
      bodyMs: e.VIRTWEB_BODY_TIMEOUT * 1000,
      uploadIdleMs: e.VIRTWEB_UPLOAD_IDLE * 1000,
    },
    imageLimits: {
      ...DEFAULT_IMAGE_LIMITS,
      maxUploadBytes: sizeVar(
        'VIRTWEB_MAX_UPLOAD',
        e.VIRTWEB_MAX_UPLOAD,
        DEFAULT_IMAGE_LIMITS.maxUploadBytes,
      ),
      maxImageBytes: Math.min(
        sizeVar('VIRTWEB_MAX_IMAGE_SIZE', e.VIRTWEB_MAX_IMAGE_SIZE, MAX_IMAGE_BYTES),
        MAX_IMAGE_BYTES,
      ),
    },
  };
}

/** VIRTWEB_TLS, VIRTWEB_TLS_CERT and VIRTWEB_TLS_KEY: the certificate and its key come together or not at all. */
function tlsSetting(e: z.infer<typeof EnvSchema>, dataDir: string): TlsSetting {
  const cert = e.VIRTWEB_TLS_CERT;
  const key = e.VIRTWEB_TLS_KEY;
  if (e.VIRTWEB_TLS === 'off') {
    if (cert !== undefined || key !== undefined) {
      throw new Error('bad configuration: VIRTWEB_TLS=off but VIRTWEB_TLS_CERT/VIRTWEB_TLS_KEY are set');
    }
    return { mode: 'off' };
  }
  if (cert === undefined && key === undefined) return { mode: 'generated', dir: path.join(dataDir, 'tls') };
  if (cert === undefined || key === undefined) {
    throw new Error('bad configuration: set both VIRTWEB_TLS_CERT and VIRTWEB_TLS_KEY, or neither');
  }
  return { mode: 'files', certPath: path.resolve(cert), keyPath: path.resolve(key) };
}

/** A size variable ("64G" or bytes, positive); unset or empty: `fallback`. */
function sizeVar(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const bytes = parseSize(raw);
  if (bytes === null || bytes <= 0) {
    throw new Error(
      `bad configuration: ${name}=${raw} is not a size like "64G" (at most ${formatBytes(fallback)})`,
    );
  }
  return bytes;
}

/**
 * `VIRTWEB_TRUST_PROXY`: a hop count (`1`) or a comma-separated list of addresses, CIDRs and the names
 * `loopback`, `linklocal`, `uniquelocal`. Trusting every sender (`true`) is refused: any client could then
 * choose its address (the login throttle's key) and claim TLS.
 */
function parseTrustProxy(raw: string | undefined): TrustProxy {
  if (raw === undefined || raw.trim() === '') return false;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw.split(',').map((s) => s.trim());
  try {
    // Express compiles the setting here exactly as it will when serving; a bad address throws now.
    express().set('trust proxy', value);
  } catch (err) {
    throw new Error(`bad configuration: VIRTWEB_TRUST_PROXY: ${(err as Error).message}`, { cause: err });
  }
  return value;
}
