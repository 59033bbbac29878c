/// <reference lib="dom" />
import type { Page } from '@playwright/test';
import { appPages, defineGuest, logIn, settled } from './fixtures/pages.ts';
import { expect, test } from './fixtures/server.ts';
import { GuestsPage } from './pages/GuestsPage.ts';
import { NewVmPage } from './pages/NewVmPage.ts';

// Phones and small windows: no page may be wider than the window (then the page scrolls sideways and
// what is on the right is out of reach), and the controls that were cut off must be reachable.
test.describe.configure({ mode: 'serial' });

const PHONES = [
  { width: 390, height: 844 },
  { width: 360, height: 640 },
] as const;

/** How many CSS pixels the page is wider than the window (0 when it fits). */
function overflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, (document.scrollingElement?.scrollWidth ?? 0) - innerWidth));
}

/** The widest elements sticking out on the right, for a failure's message. */
function sticking(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`),
  );
}

async function expectFits(page: Page, what: string): Promise<void> {
  const fits = await expect
    .poll(() => overflow(page), { timeout: 5000 })
    .toBe(0)
    .then(
      () => true,
      () => false,
    );
  // The failure names what sticks out, as it is then.
  if (!fits) expect(await overflow(page), `${what}: ${(await sticking(page)).join(', ')}`).toBe(0);
}

let runningId = '';

test('every page fits 390 and 360 px wide; Log out, the selected tab and every guest action are in reach', async ({
  page,
  server,
}) => {
  test.setTimeout(180_000);
  await logIn(page, server);
  runningId = await defineGuest(page, server, 'e2e-narrow-running-guest', 'start');
  await defineGuest(page, server, 'e2e-narrow-stopped');
  const logOut = page.getByRole('button', { name: 'Log out' });
  for (const size of PHONES) {
    await page.setViewportSize(size);
    for (const path of appPages(runningId)) {
      await page.goto(path);
      await settled(page);
      await expectFits(page, `${path} at ${size.width}`);
      if (!path.endsWith('/console-window')) await expect(logOut).toBeInViewport();
    }

    // The guests as cards: every action of every guest is within the window's width.
    await page.goto('/vms');
    const guests = new GuestsPage(page);
    for (const [name, actions] of [
      ['e2e-narrow-running-guest', ['Shut down', 'Pause', 'Power off']],
      ['e2e-narrow-stopped', ['Start']],
    ] as const) {
      for (const label of actions) {
        const button = guests.button(name, label);
        // Scrolled again until it holds: a running guest's card grows when its agent reports addresses.
        await expect(async () => {
          await button.scrollIntoViewIfNeeded();
          await expect(button).toBeInViewport({ timeout: 1000 });
        }).toPass();
      }
    }

    // The tab strip scrolls to the selected tab, even the last one.
    await page.goto(`/vms/${runningId}?tab=settings`);
    const tabs = page.getByRole('tablist', { name: 'Views of e2e-narrow-running-guest' });
    await expect(tabs.getByRole('tab', { name: 'Settings' })).toBeInViewport();
    await tabs.getByRole('tab', { name: 'Settings' }).press('Home');
    await expect(tabs.getByRole('tab', { name: 'Overview' })).toBeInViewport();
  }
});

test('the wizard, step by step, and the login page fit a 360 px phone; 1024×700 too', async ({
  page,
  server,
  browser,
}) => {
  await logIn(page, server);
  await page.setViewportSize(PHONES[1]);
  const wizard = new NewVmPage(page);
  await wizard.goto();
  for (let step = 1; step <= 7; step++) {
    await expect(wizard.stepHeading).toContainText(`Step ${step} of 7`);
    await settled(page);
    await expectFits(page, `wizard step ${step}`);
    if (step < 7) await wizard.next.click();
  }

  const anonymous = await browser.newContext({ viewport: PHONES[1], baseURL: server.url });
  const login = await anonymous.newPage();
  await login.goto('/login');
  await expect(login.getByRole('button', { name: 'Log in' })).toBeInViewport();
  await expectFits(login, 'login');
  await anonymous.close();

  await page.setViewportSize({ width: 1024, height: 700 });
  for (const path of ['/vms', `/vms/${runningId}`, `/vms/${runningId}?tab=graphs`, '/vms/new', '/host']) {
    await page.goto(path);
    await settled(page);
    await expectFits(page, `${path} at 1024`);
  }
});
