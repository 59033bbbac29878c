import { VmPage } from './pages/VmPage.ts';
import { screenStats } from './fixtures/screen.ts';
import { Secret, TOTP } from 'otpauth';
import { asTheApp, expect, test, type VirtwebServer } from './fixtures/server.ts';
import { defineGuest, logIn } from './fixtures/pages.ts';
import { LoginPage } from './pages/LoginPage.ts';
import { UsersPage } from './pages/UsersPage.ts';

/** Makes a user through the admin's API (the test's own session, not the page's). */
async function makeUser(server: VirtwebServer, name: string, role: string, password: string): Promise<void> {
  const res = await server.fetch(`${server.url}/api/users`, {
    method: 'POST',
    headers: { ...asTheApp(server), cookie: await server.cookie() },
    body: JSON.stringify({ name, password, role }),
  });
  expect(res.status).toBe(201);
}

test('an admin creates a user on the Users page and changes its role; it logs in with its name', async ({
  page,
  server,
}) => {
  await logIn(page, server);
  const users = new UsersPage(page);
  await users.goto();
  await expect(users.heading).toBeVisible();
  await expect(users.row('admin')).toContainText('(you)');
  await users.createUser('rosa', 'rosa password', 'Read');
  await expect(users.row('rosa')).toBeVisible();
  await expect(users.role('rosa')).toHaveValue('read');
  await users.role('rosa').selectOption('operate');
  await expect(users.role('rosa')).toHaveValue('operate');
  // The last admin stays: demoting it is refused, and the table still says admin.
  await users.role('admin').selectOption('read');
  await expect(page.getByRole('alert').filter({ hasText: /last admin/ })).toBeVisible();
  await expect(users.role('admin')).toHaveValue('admin');

  await page.context().clearCookies();
  const login = new LoginPage(page);
  await login.goto();
  await login.login('rosa password', 'rosa');
  await expect(page.getByRole('heading', { name: 'Guests', level: 1 })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'rosa' })).toBeVisible();
});

test("a read user sees the guest's actions disabled, each saying it needs the operate role", async ({
  page,
  server,
}) => {
  await logIn(page, server);
  const id = await defineGuest(page, server, 'looked-at');
  const running = await defineGuest(page, server, 'watched', 'start');
  await makeUser(server, 'reader', 'read', 'reader password');
  await page.context().clearCookies();
  const login = new LoginPage(page);
  await login.goto();
  await login.login('reader password', 'reader');
  await expect(page.getByRole('heading', { name: 'Guests', level: 1 })).toBeVisible();

  const newVm = page.getByRole('button', { name: 'New VM' });
  await expect(newVm).toBeDisabled();
  await expect(newVm).toHaveAccessibleDescription('Needs the operate role');

  await page.goto(`/vms/${id}`);
  const lifecycle = page.getByRole('group', { name: 'Lifecycle' });
  for (const name of ['Start', 'Clone', 'Delete']) {
    const button = lifecycle.getByRole('button', { name, exact: true });
    await expect(button, name).toBeDisabled();
    await expect(button, name).toHaveAccessibleDescription('Needs the operate role');
  }
  // The consoles that act are not offered; the screen is, view-only (the server drops a read viewer's input).
  const tabs = page.getByRole('tablist');
  await expect(tabs.getByRole('tab', { name: 'Overview' })).toBeVisible();
  for (const name of ['Serial', 'Monitor', 'QMP'])
    await expect(tabs.getByRole('tab', { name, exact: true }), name).toHaveCount(0);
  await tabs.getByRole('tab', { name: 'Screen', exact: true }).click();
  const viewOnly = page.getByRole('button', { name: 'View only' });
  await expect(viewOnly).toHaveAttribute('aria-pressed', 'true');
  await expect(viewOnly).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Paste text…' })).toBeDisabled();
  await tabs.getByRole('tab', { name: 'Overview' }).click();
  // A running guest's screen is shown to the reader, and stays connected (noVNC sends only what the server's
  // view-only filter lets through).
  const watched = new VmPage(page, 'watched');
  await page.goto(`/vms/${running}?tab=screen`);
  await expect
    .poll(async () => (await screenStats(watched.screen)).lit, { timeout: 30_000 })
    .toBeGreaterThan(100);
  await expect(page.getByText(/Connected.*\(view only: needs the operate role\)/)).toBeVisible();
  // What the UI does not offer, the server refuses too, naming the role.
  const start = await page.request.post(`/api/vms/${id}/start`, { headers: asTheApp(server) });
  expect(start.status()).toBe(403);
  expect(((await start.json()) as { error: { message: string } }).error.message).toMatch(
    /needs the operate role \(user reader has read\)/,
  );
});

test('a user turns on an authenticator on its Account page, then logs in with its code', async ({
  page,
  server,
}) => {
  await makeUser(server, 'tess', 'operate', 'tess password');
  const login = new LoginPage(page);
  await login.goto();
  await login.login('tess password', 'tess');
  await page.getByRole('link', { name: 'tess' }).click();
  await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Set up an authenticator' }).click();
  await expect(page.getByRole('img', { name: 'QR code of the authenticator secret' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });
  await page.getByLabel('Code from the app').fill(totp.generate());
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText('Logins ask for the code of your authenticator app')).toBeVisible();

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await login.login('tess password', 'tess');
  await expect(login.code).toBeFocused();
  // The code of the next 30 s step: the one used to turn it on is good only once.
  await login.code.fill(totp.generate({ timestamp: Date.now() + 30_000 }));
  await login.code.press('Enter');
  // Logged in as tess (on the guests list, or back on the page the logout left).
  await expect(page.getByRole('link', { name: 'tess' })).toBeVisible();
  await expect(page).not.toHaveURL(/\/login$/);
});
