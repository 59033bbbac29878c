import type { Page } from '@playwright/test';
import { axeViolations } from './fixtures/axe.ts';
import { logIn } from './fixtures/pages.ts';
import { TEST_ISO, asTheApp, expect, test } from './fixtures/server.ts';

// Snapshots as a tree, as virt-manager shows them: each under the one current when it was taken, the current
// one said in words, a description per snapshot; all of it with the keyboard.
test.use({ viewport: { width: 1280, height: 900 } });

/** The snapshot table's row of `name` (its row header starts with the name; "↳" is hidden from the name). */
const row = (page: Page, name: string) =>
  page
    .getByRole('treegrid', { name: 'Snapshots' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}\\b`) }) });

test('snapshot tree: parents, the current one and descriptions', async ({ page, server }) => {
  test.setTimeout(120_000);
  await logIn(page, server);
  const headers = asTheApp(server);
  const image = await page.request.post('/api/images', {
    headers,
    data: { name: 'tree.qcow2', format: 'qcow2', size: '16M' },
  });
  expect(image.status()).toBe(201);
  const created = await page.request.post('/api/vms', {
    headers,
    data: {
      name: 'tree',
      memoryMiB: 128,
      vcpus: 1,
      disks: [{ image: 'tree.qcow2' }],
      cdrom: TEST_ISO,
      boot: 'cdrom',
    },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await page.goto(`/vms/${id}?tab=snapshots`);

  // Take s1 (with a description) and s2 with the keyboard: type, then Enter submits.
  const name = page.getByRole('textbox', { name: 'Snapshot name' });
  const description = page.getByRole('textbox', { name: 'Description (optional)' });
  const take = async (snapshot: string, text?: string) => {
    await name.fill(snapshot);
    if (text !== undefined) await description.fill(text);
    await name.press('Enter');
    await expect(row(page, snapshot)).toBeVisible();
    await expect(name).toHaveValue('');
  };
  await take('s1', 'fresh install');
  await take('s2');
  await expect(row(page, 's2').getByRole('rowheader')).toHaveText(/s2 \(child of s1\)\s*current/);

  // Back to s1, then s3: a second child of s1, and the current one.
  await row(page, 's1').getByRole('button', { name: 'Revert' }).click();
  await page
    .getByRole('dialog', { name: 'Revert tree to s1?' })
    .getByRole('button', { name: 'Revert' })
    .click();
  await expect(row(page, 's1').getByRole('rowheader')).toContainText('current');
  await take('s3');

  const headersText = await page
    .getByRole('treegrid', { name: 'Snapshots' })
    .getByRole('rowheader')
    .allInnerTexts();
  expect(headersText.map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
    '▾ s1',
    '↳ s2 (child of s1)',
    '↳ s3 (child of s1) current',
  ]);
  await expect(row(page, 's3').getByRole('rowheader')).toHaveAccessibleName(/^s3 \(child of s1\) current$/);
  await expect(row(page, 's1')).toContainText('fresh install');
  const depth = (snapshot: string) => row(page, snapshot).getAttribute('data-depth');
  expect([await depth('s1'), await depth('s2'), await depth('s3')]).toEqual(['0', '1', '1']);
  // The keyboard walks and folds the tree (WAI-ARIA tree grid): one Tab stop, on the current snapshot's row.
  const tabStops = page.getByRole('treegrid', { name: 'Snapshots' }).locator('tr[tabindex="0"]');
  await expect(tabStops).toHaveCount(1);
  await expect(tabStops).toHaveAttribute('data-snapshot', 's3');
  await row(page, 's3').focus();
  await page.keyboard.press('ArrowUp');
  await expect(row(page, 's2')).toBeFocused();
  await page.keyboard.press('ArrowLeft'); // a leaf: to its parent
  await expect(row(page, 's1')).toBeFocused();
  await expect(row(page, 's1')).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('ArrowLeft'); // folds s1
  await expect(row(page, 's1')).toHaveAttribute('aria-expanded', 'false');
  await expect(row(page, 's2')).toHaveCount(0);
  await expect(row(page, 's3')).toHaveCount(0);
  await page.keyboard.press('ArrowRight'); // unfolds
  await expect(row(page, 's3')).toBeVisible();
  await page.keyboard.press('ArrowRight'); // to the first child
  await expect(row(page, 's2')).toBeFocused();
  await page.keyboard.press('End');
  await expect(row(page, 's3')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(row(page, 's1')).toBeFocused();
  await expect(tabStops).toHaveAttribute('data-snapshot', 's1');
  expect(await axeViolations(page)).toEqual([]);
  // The mouse folds too, with the triangle.
  await row(page, 's1').locator('.snapshot-toggle').click();
  await expect(row(page, 's2')).toHaveCount(0);
  await row(page, 's1').locator('.snapshot-toggle').click();
  await expect(row(page, 's2')).toBeVisible();

  // Only one snapshot is current, and it says so in text.
  await expect(
    page.getByRole('treegrid', { name: 'Snapshots' }).getByText('current', { exact: true }),
  ).toHaveCount(1);

  // A description afterwards, with the keyboard: Describe, type, Enter.
  await row(page, 's2').getByRole('button', { name: 'Describe snapshot s2' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Description of snapshot s2' });
  await dialog.getByRole('textbox', { name: 'Description' }).fill('before the upgrade');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(row(page, 's2')).toContainText('before the upgrade');
  await page
    .getByRole('treegrid', { name: 'Snapshots' })
    .screenshot({ path: 'test-results/snapshot-tree.png' });

  // Deleting s1 makes roots of s2 and s3.
  await row(page, 's1').getByRole('button', { name: 'Delete' }).click();
  await page
    .getByRole('dialog', { name: 'Delete snapshot s1?' })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(row(page, 's1')).toHaveCount(0);
  await expect(row(page, 's2').getByRole('rowheader')).toHaveAccessibleName('s2');
  await expect(row(page, 's3').getByRole('rowheader')).toHaveAccessibleName('s3 current');
});
