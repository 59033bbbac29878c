import { generatePassword } from './password.ts';
import { SetupCode } from './setup-code.ts';
import type { UserService } from './users.ts';

/** How a data dir with no users gets its first admin (VIRTWEB_FIRST_RUN). */
export type FirstRun = 'password' | 'setup-code';

/** The user the quick start, VIRTWEB_PASSWORD and the data dirs from before users existed have. */
export const FIRST_ADMIN = 'admin';

/**
 * Makes sure an admin can log in. VIRTWEB_PASSWORD (`fromEnv`) is the password of the user `admin`, made
 * when missing. Otherwise a data dir with no users gets, by `firstRun`, a generated password for `admin`
 * printed through `announce` (the only time it is ever shown), or a one-time setup code printed instead,
 * which the first visit types to create the admin (returned for the setup route).
 */
export async function ensureFirstAdmin(
  users: UserService,
  fromEnv: string | undefined,
  firstRun: FirstRun,
  announce: (line: string) => void,
): Promise<SetupCode | undefined> {
  if (fromEnv !== undefined) {
    if (!users.exists(FIRST_ADMIN)) await users.create(FIRST_ADMIN, fromEnv, 'admin');
    else if (!(await users.passwordIs(FIRST_ADMIN, fromEnv))) await users.setPassword(FIRST_ADMIN, fromEnv);
    return undefined;
  }
  if (users.count() > 0) return undefined;
  if (firstRun === 'setup-code') {
    const setup = new SetupCode();
    announce(
      `virtweb: no users yet: open the web page and create the admin with the setup code ${setup.code}`,
    );
    announce('virtweb: the code is good once, until the server restarts');
    return setup;
  }
  const password = generatePassword();
  await users.create(FIRST_ADMIN, password, 'admin');
  announce(`virtweb: generated admin password (shown only this once): ${password}`);
  announce('virtweb: set VIRTWEB_PASSWORD to choose your own');
  return undefined;
}
