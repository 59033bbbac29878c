import type Database from 'better-sqlite3';
import { ideOnQ35ToSata } from './disk-bus-migration.ts';
import { nicsWithUniqueMacs } from './nics-migration.ts';

/** SQL, or a step SQL cannot say (it runs in the migration's transaction). */
export type Migration = string | ((db: Database.Database) => void);

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Never edit a shipped migration: append a new one.
 */
export const MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
   CREATE TABLE vms (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     definition TEXT NOT NULL,
     state TEXT NOT NULL,
     last_exit TEXT,
     created_at TEXT NOT NULL,
     started_at TEXT
   );`,
  `CREATE TABLE metrics_minute (
     vm_id TEXT NOT NULL,
     at INTEGER NOT NULL,
     point TEXT NOT NULL,
     PRIMARY KEY (vm_id, at)
   );
   CREATE INDEX metrics_minute_at ON metrics_minute (at);`,
  `CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     last_used_at TEXT
   );
   CREATE TABLE peers (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     server_id TEXT NOT NULL UNIQUE,
     url TEXT NOT NULL UNIQUE,
     token TEXT NOT NULL,
     added_at TEXT NOT NULL
   );`,
  // Tokens get a scope (read, operate, admin, peer). Tokens made before scopes existed become `peer`: there
  // is no telling what each was for, and peering and migration are the only use of tokens documented so far;
  // one that needs more is replaced by a new token with the scope it needs.
  `ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'peer'
     CHECK (scope IN ('read', 'operate', 'admin', 'peer'));`,
  // What virtweb recorded when it took a snapshot (its disks, sizes, formats, the hardware of its device state):
  // a revert compares it with now before touching anything. Snapshots taken otherwise (HMP savevm) have none.
  `CREATE TABLE vm_snapshots (
     vm_id TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     facts TEXT NOT NULL,
     PRIMARY KEY (vm_id, name)
   );`,
  // What the user says of a guest that is not its hardware: tags, notes, whether it starts with the host.
  `CREATE TABLE vm_meta (
     vm_id TEXT PRIMARY KEY REFERENCES vms(id) ON DELETE CASCADE,
     meta TEXT NOT NULL
   );`,
  // Which engine drives each guest, and through which connection (every guest so far is qemu-direct's, local).
  `ALTER TABLE vms ADD COLUMN engine TEXT NOT NULL DEFAULT 'qemu-direct';
   ALTER TABLE vms ADD COLUMN connection TEXT NOT NULL DEFAULT 'local';`,
  // The task log: every state-changing request and long job (who, from where, what, target, result, duration).
  // Times are ms since the epoch; `status` 'running' rows left by a stopped server become 'interrupted'.
  `CREATE TABLE tasks (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     op TEXT NOT NULL,
     route TEXT NOT NULL,
     user TEXT NOT NULL,
     via TEXT NOT NULL CHECK (via IN ('session', 'token')),
     scope TEXT NOT NULL,
     client TEXT NOT NULL,
     target TEXT,
     vm_id TEXT,
     status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
     http_status INTEGER,
     error_code TEXT,
     error TEXT,
     progress REAL,
     job_id TEXT,
     started_at INTEGER NOT NULL,
     ended_at INTEGER
   );
   CREATE INDEX tasks_vm ON tasks (vm_id, id);
   CREATE INDEX tasks_user ON tasks (user, id);
   CREATE INDEX tasks_status ON tasks (status);
   CREATE INDEX tasks_started ON tasks (started_at);`,
  // The pinned SHA-256 fingerprint of an https:// peer's certificate (confirmed by the user when adding it);
  // NULL for http:// peers and for peers added before pinning (their certificates are checked against the CAs).
  `ALTER TABLE peers ADD COLUMN fingerprint TEXT;`,
  // Users with roles. The single admin password of before becomes the user `admin`, and its open sessions
  // become that user's (they keep working); a session gets an id to be listed and revoked by.
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     role TEXT NOT NULL CHECK (role IN ('read', 'operate', 'admin')),
     password_hash TEXT NOT NULL,
     disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
     totp_secret TEXT,
     totp_pending TEXT,
     totp_last_step INTEGER,
     created_at TEXT NOT NULL,
     last_login_at TEXT
   );
   INSERT INTO users (id, name, role, password_hash, created_at)
     SELECT lower(hex(randomblob(6))), 'admin', 'admin', value, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     FROM settings WHERE key = 'admin_password_hash';
   DELETE FROM settings WHERE key = 'admin_password_hash';
   ALTER TABLE sessions ADD COLUMN id TEXT;
   ALTER TABLE sessions ADD COLUMN user_id TEXT REFERENCES users(id) ON DELETE CASCADE;
   ALTER TABLE sessions ADD COLUMN address TEXT;
   ALTER TABLE sessions ADD COLUMN user_agent TEXT;
   UPDATE sessions SET id = substr(token_hash, 1, 16), user_id = (SELECT id FROM users WHERE name = 'admin');
   DELETE FROM sessions WHERE user_id IS NULL;
   CREATE UNIQUE INDEX sessions_id ON sessions (id);
   CREATE INDEX sessions_user ON sessions (user_id);`,
  // Snapshots as a tree: qcow2 keeps no parent links, so virtweb records each snapshot's parent (the one current
  // when it was taken) and a description, and which snapshot is current per guest. `facts` becomes optional: a
  // snapshot taken otherwise (HMP savevm) can still be given a description.
  `CREATE TABLE vm_snapshots_new (
     vm_id TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     facts TEXT,
     parent TEXT,
     description TEXT,
     PRIMARY KEY (vm_id, name)
   );
   INSERT INTO vm_snapshots_new (vm_id, name, facts) SELECT vm_id, name, facts FROM vm_snapshots;
   DROP TABLE vm_snapshots;
   ALTER TABLE vm_snapshots_new RENAME TO vm_snapshots;
   CREATE TABLE vm_current_snapshot (
     vm_id TEXT PRIMARY KEY REFERENCES vms(id) ON DELETE CASCADE,
     name TEXT NOT NULL
   );`,
  // Managed networks (networks/): a NAT or isolated bridge virtweb runs, or an existing host bridge it refers to.
  // `definition` is the network's JSON (networks/network-definition.ts): subnet, DHCP range, port forwards.
  `CREATE TABLE networks (
     name TEXT PRIMARY KEY,
     definition TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
  // A guest's one `network` becomes a list of NICs, each with its own MAC (unique among the guests here: before,
  // every NIC had qemu's 52:54:00:12:34:56) and slot 0. Random MACs cannot be made stably when a row is read.
  nicsWithUniqueMacs,
  // Disks get more buses (virtio-scsi, SATA, IDE, USB). `ide` meant AHCI SATA on q35 (which has no IDE): those
  // disks become `sata`, the bus qemu gave them; `ide` stays for the pc machine's PIIX IDE.
  ideOnQ35ToSata,
  // Connections to libvirt hosts (the libvirt engine): the URI as the admin added it.
  `CREATE TABLE connections (
     id TEXT PRIMARY KEY,
     uri TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL
   );`,
];
