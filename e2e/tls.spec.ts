// Over HTTPS (self-signed, as a real install starts): the Host page shows the certificate's fingerprint, and a
// peer is added in two steps, its fingerprint shown to compare before it is pinned.
import { expect, test } from '@playwright/test';
import { VirtwebServer } from './fixtures/server.ts';
import { LoginPage } from './pages/LoginPage.ts';

test.use({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });

test('the Host page shows the certificate fingerprint; a peer is added once its fingerprint is confirmed', async ({
  page,
}) => {
  const here = await VirtwebServer.start({ tls: true });
  const other = await VirtwebServer.start({ tls: true });
  try {
    expect(here.url).toMatch(/^https:/);
    const cookie = await other.cookie();
    const res = await other.fetch(`${other.url}/api/tokens`, {
      method: 'POST',
      headers: { cookie, origin: other.url, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'e2e', scope: 'peer' }),
    });
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as { token: string };

    // Plain HTTP on the same port is redirected to https.
    await page.goto(`${here.url.replace('https:', 'http:')}/login`);
    expect(page.url()).toBe(`${here.url}/login`);
    await new LoginPage(page).login(here.password);
    await page.getByRole('link', { name: 'Host' }).click();
    await expect(page.getByTestId('tls-fingerprint')).toHaveText(here.fingerprint ?? 'none');

    await page.getByRole('link', { name: 'Peers' }).click();
    await page.getByLabel('Server URL').fill(other.url);
    await page.getByLabel('API token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Add peer' }).click();
    // First the certificate: nothing is added before the user compares and confirms it.
    await expect(page.getByTestId('peer-fingerprint')).toHaveText(other.fingerprint ?? 'none');
    await expect(page.getByRole('table', { name: 'Peers' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Same fingerprint: add peer' }).click();
    const peers = page.getByRole('table', { name: 'Peers' });
    await expect(peers).toContainText(other.url);
    await expect(peers).toContainText('online');
  } finally {
    await Promise.all([here.stop(), other.stop()]);
  }
});
