/// <reference lib="dom" />
import { axeViolations as violations } from './fixtures/axe.ts';
import { appPages, defineGuest, logIn, settled, tabTo } from './fixtures/pages.ts';
import { expect, test } from './fixtures/server.ts';
import { NewVmPage } from './pages/NewVmPage.ts';

// An accessibility pass: axe-core on every page (no serious or critical violation), and the main flows
// walked with the keyboard alone.
test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1280, height: 900 } });

test('axe finds no serious or critical violation on any page', async ({ page, server, browser }) => {
  test.setTimeout(180_000);
  const anonymous = await browser.newContext({ baseURL: server.url });
  const login = await anonymous.newPage();
  await login.goto('/login');
  await expect(login.getByRole('button', { name: 'Log in' })).toBeVisible();
  expect.soft(await violations(login), '/login').toEqual([]);
  await anonymous.close();

  await logIn(page, server);
  const id = await defineGuest(page, server, 'e2e-a11y', 'pause');
  for (const path of appPages(id)) {
    await page.goto(path);
    await settled(page);
    expect.soft(await violations(page), path).toEqual([]);
  }

  const wizard = new NewVmPage(page);
  await wizard.goto();
  for (let step = 1; step <= 7; step++) {
    await expect(wizard.stepHeading).toContainText(`Step ${step} of 7`);
    await settled(page);
    expect.soft(await violations(page), `wizard step ${step}`).toEqual([]);
    if (step < 7) await wizard.next.click();
  }
});

test('keyboard only: log in, skip to the content, open a guest, its tabs, start it and power it off', async ({
  page,
  server,
}) => {
  await logIn(page, server);
  await defineGuest(page, server, 'e2e-walk');
  await page.context().clearCookies();
  const keys = page.keyboard;

  await page.goto('/login');
  await expect(page.getByLabel('Password')).toBeFocused();
  await keys.type(server.password);
  await keys.press('Enter');
  await expect(page.getByRole('heading', { name: 'Guests', level: 1 })).toBeVisible();

  // The first Tab stop skips the header.
  await keys.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await keys.press('Enter');
  await expect(page.locator('main')).toBeFocused();
  // Past the host summary, the filter and the select boxes of the guests listed before it.
  await tabTo(page, page.getByRole('link', { name: 'e2e-walk' }), 40);
  await keys.press('Enter');
  await expect(page.getByRole('heading', { name: 'e2e-walk', level: 1 })).toBeVisible();

  // Lifecycle: Start, then Power off through its confirmation dialog.
  const lifecycle = page.getByRole('group', { name: 'Lifecycle' });
  await tabTo(page, lifecycle.getByRole('button', { name: 'Start' }), 20);
  await keys.press('Enter');
  const powerOff = lifecycle.getByRole('button', { name: 'Power off' });
  await expect(powerOff).toBeEnabled();
  await tabTo(page, powerOff);
  await keys.press('Enter');
  const dialog = page.getByRole('dialog');
  await tabTo(page, dialog.getByRole('button', { name: 'Power off', exact: true }));
  await keys.press('Enter');
  await expect(page.getByText('stopped').first()).toBeVisible();

  // The tabs: one Tab stop, arrows and Home/End move and select.
  const tabs = page.getByRole('tablist', { name: 'Views of e2e-walk' });
  await tabTo(page, tabs.getByRole('tab', { name: 'Overview' }), 20);
  await keys.press('ArrowRight');
  await expect(tabs.getByRole('tab', { name: 'Screen' })).toBeFocused();
  await expect(tabs.getByRole('tab', { name: 'Screen' })).toHaveAttribute('aria-selected', 'true');
  await keys.press('End');
  await expect(tabs.getByRole('tab', { name: 'Settings' })).toHaveAttribute('aria-selected', 'true');
  await keys.press('Home');
  await expect(tabs.getByRole('tab', { name: 'Overview' })).toBeFocused();

  // Back to the guests and on to the new VM wizard with the main navigation.
  await tabTo(page, page.getByRole('link', { name: 'Guests' }).first(), 30);
  await keys.press('Enter');
  await tabTo(page, page.getByRole('link', { name: 'New VM' }), 30);
  await keys.press('Enter');
  await expect(page.getByRole('heading', { name: 'New VM', level: 1 })).toBeVisible();
  await expect(new NewVmPage(page).field('Name')).toBeFocused();
});
