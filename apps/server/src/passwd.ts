// `npm run passwd -- <user> [--remove-totp]`: sets a user's password from the host shell (a locked-out
// admin), on the data dir of the configuration, whether the server runs or not (SQLite in WAL mode).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NewPasswordSchema, UsernameSchema } from '@virtweb/protocol';
import { Revocations } from './auth/revocations.ts';
import { SessionStore } from './auth/sessions.ts';
import { UserService } from './auth/users.ts';
import { UsersRepo } from './auth/users-repo.ts';
import { loadConfig } from './config.ts';
import { openDb } from './store/db.ts';

const USAGE =
  'usage: npm run passwd -- <user> [--remove-totp]   (the new password is read from the terminal or stdin)';

/** Reads a line from the terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(text);
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        text = ch === '\u007f' || ch === '\b' ? text.slice(0, -1) : text + ch;
      }
    };
    process.stdout.write(prompt);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** The first line of stdin (a script piping the password in). */
async function readFirstLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function newPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  const first = await readHidden('New password: ');
  if ((await readHidden('Again: ')) !== first) throw new Error('the two passwords differ');
  return first;
}

async function main(argv: string[]): Promise<void> {
  const args = argv.filter((a) => !a.startsWith('--'));
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const name = UsernameSchema.safeParse(args[0]);
  if (args.length !== 1 || !name.success || [...flags].some((f) => f !== '--remove-totp'))
    throw new Error(USAGE);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const config = loadConfig(process.env, path.resolve(here, '../../web/dist'));
  const db = openDb(config.dbPath);
  try {
    const users = new UserService(new UsersRepo(db), new SessionStore(db, new Revocations()));
    if (!users.exists(name.data)) throw new Error(`no user ${name.data} in ${config.dataDir}`);
    const password = NewPasswordSchema.safeParse(await newPassword());
    if (!password.success) throw new Error(password.error.issues[0]?.message ?? 'bad password');
    await users.setPassword(name.data, password.data);
    if (flags.has('--remove-totp')) users.removeTotp(users.get(name.data).id);
    const totp = flags.has('--remove-totp') ? ' and its authenticator removed' : '';
    console.log(`virtweb: the password of ${name.data} was set${totp}; its sessions ended`);
  } finally {
    db.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`virtweb passwd: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
