import crypto from 'node:crypto';
import { asTheApp, expect, test } from './fixtures/server.ts';
import { logIn } from './fixtures/pages.ts';
import { NetworksPage } from './pages/NetworksPage.ts';

test('an admin creates an isolated network, sees it running with its bridge, and deletes it', async ({
  page,
  server,
}) => {
  const name = `e2e${crypto.randomBytes(2).toString('hex')}`;
  // A /24 in 10.240.0.0/13: the server refuses one that clashes with the host (then the test fails, clearly).
  const subnet = `10.${240 + crypto.randomInt(8)}.${crypto.randomInt(256)}.0/24`;
  try {
    await logIn(page, server);
    await page.goto('/vms');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Networks' }).click();
    const networks = new NetworksPage(page);
    await expect(networks.heading).toBeVisible();
    await expect(page.getByRole('heading', { name: 'No networks yet' })).toBeVisible();

    await networks.create(name, 'Isolated', subnet);
    const row = networks.row(name);
    await expect(row).toContainText('running');
    await expect(row).toContainText(`vwbr-${name}`);
    await expect(row).toContainText(subnet);

    // A malformed subnet is refused at its field, before the server is asked.
    await networks.create(`${name}b`, 'NAT', '10.1.2.3/33');
    await expect(page.getByLabel('Subnet')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Subnet')).toBeFocused();

    await row.getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { name: `Network ${name}` })).toBeVisible();
    await expect(page.getByTestId('network-state')).toHaveText('running');
    await expect(page.getByText('No leases')).toBeVisible();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect(networks.heading).toBeVisible();
    await expect(page.getByRole('heading', { name: 'No networks yet' })).toBeVisible();
  } finally {
    // Whatever the test left on the host goes (a 404 when it was deleted).
    await server.fetch(`${server.url}/api/networks/${name}`, {
      method: 'DELETE',
      headers: { ...asTheApp(server), cookie: await server.cookie() },
    });
  }
});
