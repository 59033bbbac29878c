import http from 'node:http';
import { defineGuest, logIn, tabTo } from './fixtures/pages.ts';
import { asTheApp, expect, test, type VirtwebServer } from './fixtures/server.ts';

const MiB = 2 ** 20;

/** An upload that sent `sent` of `length` bytes and waits; `breakOff()` cuts it (a closed tab). */
async function openUpload(server: VirtwebServer, name: string, length: number, sent: number) {
  const req = http.request(new URL(`/api/images/${name}/upload`, server.url), {
    method: 'PUT',
    headers: {
      cookie: await server.cookie(),
      origin: server.url,
      'content-type': 'application/octet-stream',
      'content-length': length,
    },
  });
  req.on('error', () => undefined);
  req.write(Buffer.alloc(sent, 7));
  return { breakOff: () => req.destroy() };
}

test('the Tasks page lists who did what, filters it from the keyboard and follows a job live', async ({
  page,
  server,
}) => {
  await logIn(page, server);
  const id = await defineGuest(page, server, 'e2e-tasks');
  // A script's token: its failed request is logged under the token's name.
  const made = await page.request.post('/api/tokens', {
    headers: asTheApp(server),
    data: { name: 'e2e-bot', scope: 'operate' },
  });
  const { token } = (await made.json()) as { token: string };
  const refused = await fetch(`${server.url}/api/images/missing.qcow2`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(refused.status).toBe(404);

  await page.goto('/vms');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await expect(page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  const table = page.getByRole('table', { name: 'Tasks' });
  const created = table.getByRole('row').filter({ hasText: 'vm.create' });
  await expect(created).toContainText('e2e-tasks');
  await expect(created).toContainText('admin');
  await expect(created).toContainText('OK');
  const failed = table.getByRole('row').filter({ hasText: 'image.delete' });
  await expect(failed).toContainText('token e2e-bot (operate)');
  await expect(failed).toContainText('failed');
  await expect(failed).toContainText('HTTP 404 · not_found');
  await expect(failed).toContainText('missing.qcow2');

  // Live: an action taken elsewhere shows at once, no reload.
  const started = await page.request.post(`/api/vms/${id}/start`, { headers: asTheApp(server) });
  expect(started.status()).toBe(202);
  await expect(table.getByRole('row').filter({ hasText: 'vm.start' })).toContainText('OK');

  // A long job: a bar while the upload runs, its end state when it is cut off.
  const upload = await openUpload(server, 'e2e-slow.raw', 64 * MiB, 2 * MiB);
  const uploading = table.getByRole('row').filter({ hasText: 'image.upload' });
  await expect(uploading).toContainText('running');
  await expect(uploading.getByRole('progressbar', { name: 'Progress of image.upload' })).toBeVisible();
  upload.breakOff();
  await expect(uploading).toContainText('failed');
  await expect(uploading.getByRole('progressbar')).toHaveCount(0);

  // Filters, from the keyboard: user, then result; the URL keeps them.
  const user = page.getByLabel('User');
  await tabTo(page, user, 40);
  await user.selectOption('e2e-bot');
  await expect(page).toHaveURL(/[?&]user=e2e-bot/);
  await expect(table.getByTestId('task-row')).toHaveCount(1);
  await expect(table).toContainText('image.delete');
  const result = page.getByLabel('Result');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(result).toBeFocused();
  await result.selectOption('ok');
  await expect(page.getByRole('status').filter({ hasText: 'No tasks match these filters.' })).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/tasks$/);
  await page.getByLabel('Guest').selectOption({ label: 'e2e-tasks' });
  await expect(table.getByTestId('task-row')).toHaveCount(2);
  await page.getByLabel('Result').selectOption('failed');
  await expect(page.getByText('No tasks match these filters.')).toBeVisible();

  // A guest's own Tasks tab; its target links there from the log.
  await page.goto('/tasks');
  await table
    .getByRole('row')
    .filter({ hasText: 'vm.start' })
    .getByRole('link', { name: 'e2e-tasks' })
    .click();
  await expect(page).toHaveURL(new RegExp(`/vms/${id}\\?tab=tasks$`));
  const own = page.getByRole('table', { name: 'Tasks of e2e-tasks' });
  await expect(own.getByTestId('task-row')).toHaveCount(2);
  await expect(own).toContainText('vm.start');
  await expect(own).toContainText('vm.create');
});

test('the Tasks page says when the log cannot be read', async ({ page, server }) => {
  await logIn(page, server);
  await page.route('**/api/tasks*', (route) =>
    route.fulfill({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'internal', message: 'the disk is on fire' } }),
    }),
  );
  await page.goto('/tasks');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Could not load the tasks.');
  await expect(alert).toContainText('the disk is on fire');
  await expect(alert.getByRole('button', { name: 'Try again' })).toBeVisible();
});
