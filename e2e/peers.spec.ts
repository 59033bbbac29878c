import { VirtwebServer, expect, test } from './fixtures/server.ts';
import { LoginPage } from './pages/LoginPage.ts';

test('a peer is added with a token made on it; its guests are listed by host and started from here', async ({
  page,
  server,
}) => {
  const other = await VirtwebServer.start();
  try {
    const cookie = await other.cookie();
    const post = async (path: string, data: unknown) => {
      const res = await fetch(`${other.url}${path}`, {
        method: 'POST',
        headers: { cookie, origin: other.url, 'content-type': 'application/json' },
        body: JSON.stringify(data),
      });
      expect(res.status, `${path} ${await res.clone().text()}`).toBe(201);
      return (await res.json()) as Record<string, unknown>;
    };
    // Admin: besides peering, this server starts the peer's guests (relayed lifecycle actions).
    const { token } = (await post('/api/tokens', { name: 'e2e', scope: 'admin' })) as { token: string };
    await post('/api/vms', {
      name: 'far-guest',
      memoryMiB: 128,
      vcpus: 1,
      cdrom: 'tinylinux.iso',
      disks: [],
    });

    await page.goto('/login');
    await new LoginPage(page).login(server.password);
    await page.getByRole('link', { name: 'Peers' }).click();
    await expect(page.getByRole('heading', { name: 'No peers yet' })).toBeVisible();

    // A token made here has the scope chosen for it: the least (Read) until another is picked.
    await page.getByLabel('Token name').fill('host-c');
    await expect(page.getByRole('radio', { name: 'Read' })).toBeChecked();
    await page.getByRole('radio', { name: 'Peer' }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByTestId('new-token')).toContainText('vwt_');
    const tokenRow = page.getByRole('table', { name: 'Tokens' }).getByRole('row', { name: /host-c/ });
    await expect(tokenRow.getByRole('cell').nth(1)).toHaveText('Peer');

    // A wrong token is refused by the peer, and the message sits next to the token field.
    await page.getByLabel('Server URL').fill(other.url);
    await page.getByLabel('API token', { exact: true }).fill('vwt_not-a-token');
    await page.getByRole('button', { name: 'Add peer' }).click();
    await expect(page.getByText('the peer refused this token')).toBeVisible();

    await page.getByLabel('API token', { exact: true }).fill(token);
    await page.getByLabel('API token', { exact: true }).press('Enter');
    const peers = page.getByRole('table', { name: 'Peers' });
    await expect(peers).toContainText(other.url);
    await expect(peers).toContainText('online');
    await expect(peers).toContainText('0 running of 1');

    // The guests page lists the peer's guest under the peer, and starts it through this server.
    await page.getByRole('link', { name: 'Guests' }).click();
    const row = page.getByTestId('peer-vm-far-guest');
    await expect(row).toContainText(/defined|stopped/);
    await row.getByRole('button', { name: 'Start' }).click();
    await expect(row).toContainText('running', { timeout: 20_000 });

    // A peer that goes away shows why its guests are missing.
    await other.stop();
    await expect(page.getByRole('alert').filter({ hasText: 'did not answer' })).toBeVisible({
      timeout: 20_000,
    });
  } finally {
    await other.stop();
  }
});
