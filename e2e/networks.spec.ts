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

test("a guest's network card joins a virtual network from Settings; the network then names it when asked to go", async ({
  page,
  server,
}) => {
  const name = `e2e${crypto.randomBytes(2).toString('hex')}`;
  const subnet = `10.${240 + crypto.randomInt(8)}.${crypto.randomInt(256)}.0/24`;
  const headers = asTheApp(server);
  let id: string | undefined;
  try {
    await logIn(page, server);
    const net = await page.request.post('/api/networks', {
      headers,
      data: { name, kind: 'isolated', subnet },
    });
    expect(net.status()).toBe(201);
    const vm = await page.request.post('/api/vms', {
      headers,
      data: { name: `on-${name}`, memoryMiB: 128, vcpus: 1, nics: [] },
    });
    expect(vm.status()).toBe(201);
    id = ((await vm.json()) as { id: string }).id;
    await page.goto(`/vms/${id}?tab=settings`);
    const cards = page.getByRole('region', { name: 'Network cards' });
    await cards.getByLabel('New card attached to').selectOption(`network:${name}`);
    await cards.getByLabel('New card model').selectOption('e1000e');
    await cards.getByRole('button', { name: 'Add network card' }).click();
    await expect(cards.getByRole('table')).toContainText(`network ${name}, e1000e`);
    const nics = ((await (await page.request.get(`/api/vms/${id}`)).json()) as { nics: unknown[] }).nics;
    expect(nics).toEqual([
      expect.objectContaining({ mode: 'network', network: name, model: 'e1000e', slot: 0 }),
    ]);
    const del = await page.request.delete(`/api/networks/${name}`, { headers });
    expect(del.status()).toBe(409);
    expect(await del.text()).toContain(`on-${name}`);
  } finally {
    // The guest first: a network in use is not deleted (and what a test leaves of a network stays on the host).
    const auth = { ...asTheApp(server), cookie: await server.cookie() };
    if (id !== undefined)
      await server.fetch(`${server.url}/api/vms/${id}`, { method: 'DELETE', headers: auth });
    await server.fetch(`${server.url}/api/networks/${name}`, { method: 'DELETE', headers: auth });
  }
});
