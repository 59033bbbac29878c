import type { SettingsRepo } from '../store/settings-repo.ts';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';

const KEY = 'admin_password_hash';

/**
 * Makes sure an admin password hash exists: from VIRTWEB_PASSWORD when set, otherwise generated once on the
 * first start and printed through `announce` (the only time it is ever shown).
 */
export async function ensureAdminPassword(
  settings: SettingsRepo,
  fromEnv: string | undefined,
  announce: (line: string) => void,
): Promise<void> {
  const stored = settings.get(KEY);
  if (fromEnv !== undefined) {
    if (stored === undefined || !(await verifyPassword(fromEnv, stored)))
      settings.set(KEY, await hashPassword(fromEnv));
    return;
  }
  if (stored !== undefined) return;
  const password = generatePassword();
  settings.set(KEY, await hashPassword(password));
  announce(`virtweb: generated admin password (shown only this once): ${password}`);
  announce('virtweb: set VIRTWEB_PASSWORD to choose your own');
}

/** True when `password` is the admin password. */
export async function checkAdminPassword(settings: SettingsRepo, password: string): Promise<boolean> {
  const stored = settings.get(KEY);
  return stored !== undefined && (await verifyPassword(password, stored));
}
