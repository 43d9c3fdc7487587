// The search page in a real browser against a running server (EDUSEARCH_URL): search,
// facets on and off, a hit opened in its plan, reload, back, errors and phone width.
// Screenshots of each step go to test-output/web/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.EDUSEARCH_URL;
if (!BASE) throw new Error('set EDUSEARCH_URL to the address of a running `edusearch serve`');
const ORIGIN = new URL(BASE).origin;
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', 'web');
mkdirSync(SHOTS, { recursive: true });

let browser;
const foreign = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
});

after(async () => {
  await browser?.close();
});

async function open(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  // Every request must go to the server itself: no CDN, font host or tracker.
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== ORIGIN) {
      foreign.push(url);
    }
  });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) errors.push(message.text());
  });
  return { context, page, errors };
}

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });

const hitIds = (page) => page.$$eval('[data-testid=hit]', (hits) => hits.map((h) => h.dataset.id));

async function waitForHits(page, count) {
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid=hit]').length === n
      && document.querySelector('[data-testid=total] strong')?.textContent === String(n),
    count,
  );
}

async function regionCounts(page) {
  return page.$$eval('[data-testid=facet-region] [data-testid=facet-value]', (buttons) =>
    buttons.map((b) => `${b.dataset.value}:${b.querySelector('.count').textContent}`));
}

test('search, narrow, open a plan, reload, go back', async () => {
  const { context, page, errors } = await open();
  const statsAnswers = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/stats') statsAnswers.push(response);
  });
  await page.goto(BASE);
  await page.waitForSelector('[data-testid=hit]');
  await shot(page, '01-browse');

  // Type and press Enter.
  await page.fill('[data-testid=search-input]', '双减');
  await page.press('[data-testid=search-input]', 'Enter');
  await waitForHits(page, 3);
  assert.match(page.url(), /[?&]q=%E5%8F%8C%E5%87%8F/);
  const marks = await page.$$eval('[data-testid=hit]', (hits) => hits.map((h) => h.querySelectorAll('mark').length));
  assert.ok(marks.every((n) => n > 0), `every hit shows a <mark>: ${marks}`);
  assert.equal(await page.$$eval('[data-testid=hit] mark', (m) => m[0].textContent), '双减');
  await page.waitForSelector('[data-testid=chart] svg');
  // The chart is by year: its counts come without the list of regions.
  const counts = await statsAnswers.at(-1).json();
  assert.equal(counts.total_items, 3);
  assert.deepEqual(counts.by_region, []);
  const allIds = await hitIds(page);
  const before = await regionCounts(page);
  await shot(page, '02-search');

  // A region narrows the hits; its facet keeps every region's count (disjunctive).
  const region = page.locator('[data-testid=facet-region] [data-testid=facet-value]').first();
  const code = await region.getAttribute('data-value');
  const count = Number(await region.locator('.count').textContent());
  assert.ok(count < 3);
  await region.click();
  await waitForHits(page, count);
  assert.match(page.url(), new RegExp(`region=${code}`));
  const selected = page.locator(`[data-testid=facet-region] [data-testid=facet-value][data-value="${code}"]`);
  assert.equal(await selected.getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await regionCounts(page), before);
  await shot(page, '03-region');

  // The region tree opens province → city → county.
  await page.click(`[data-testid=facet-expand][data-value="${code}"]`);
  const child = page.locator(`[data-testid=facet-region] li.open ul [data-testid=facet-value]`).first();
  await child.waitFor();
  assert.equal(Number(await child.locator('.count').textContent()), count);
  await shot(page, '03b-region-tree');

  // A second click undoes it.
  await selected.click();
  await waitForHits(page, 3);
  assert.equal(await selected.getAttribute('aria-pressed'), 'false');
  assert.deepEqual((await hitIds(page)).sort(), [...allIds].sort());

  // Open a hit: its whole plan, with that item in view and marked.
  const target = allIds[allIds.length - 1];
  await page.click(`[data-testid=hit][data-id="${target}"] [data-testid=hit-title]`);
  await assertReaderShows(page, target);
  assert.match(page.url(), new RegExp(`item=${target}`));
  await shot(page, '04-reader');
  await page.$eval('.reader-panel', (panel) => panel.scrollTo(0, 0));
  await shot(page, '04b-reader-metadata');

  // Reload: the same view.
  await page.reload();
  await assertReaderShows(page, target);
  await waitForHits(page, 3);
  assert.equal(await page.inputValue('[data-testid=search-input]'), '双减');
  await shot(page, '05-reload');

  // Back closes the plan; forward opens it again.
  await page.goBack();
  await page.waitForSelector('[data-testid=reader]', { state: 'hidden' });
  await waitForHits(page, 3);
  await page.goForward();
  await assertReaderShows(page, target);
  await page.click('[data-testid=reader-close]');
  await page.waitForSelector('[data-testid=reader]', { state: 'hidden' });
  assert.doesNotMatch(page.url(), /item=/);

  assert.deepEqual(errors, []);
  await context.close();
});

async function assertReaderShows(page, id) {
  await page.waitForSelector('[data-testid=reader]', { state: 'visible' });
  const current = page.locator('[data-testid=plan-item].current');
  await current.waitFor();
  assert.equal(await current.getAttribute('data-id'), id);
  assert.equal(await current.getAttribute('aria-current'), 'true');
  await page.waitForFunction(() => {
    const item = document.querySelector('[data-testid=plan-item].current').getBoundingClientRect();
    return item.top >= 0 && item.top < window.innerHeight;
  });
  const meta = await page.textContent('[data-testid=plan-meta]');
  for (const label of ['发文单位', '地区', '年份', '文号', '发布日期', '来源']) {
    assert.ok(meta.includes(label), `plan metadata shows ${label}`);
  }
  assert.ok((await page.textContent('[data-testid=plan-title]')).length > 0);
}

test('API errors are shown as a readable message', async () => {
  const { context, page } = await open();
  await page.goto(`${BASE}/?q=${encodeURIComponent('"双减')}`);
  const error = page.locator('[data-testid=error]');
  await error.waitFor();
  assert.match(await error.textContent(), /参数 q/);
  await shot(page, '06-error');

  await page.goto(`${BASE}/?region=${encodeURIComponent('朝阳区')}`);
  await page.locator('[data-testid=candidate]').first().waitFor();
  assert.ok((await page.locator('[data-testid=candidate]').count()) >= 2);
  await shot(page, '07-ambiguous-region');
  await context.close();
});

test('a preamble hit is named once, and opens at the top of its plan', async () => {
  const { context, page, errors } = await open();
  await page.goto(`${BASE}/?q=${encodeURIComponent('成立75周年')}`);
  await waitForHits(page, 1);
  const heading = await page.textContent('[data-testid=hit] h3');
  assert.equal(heading.split('总体要求').length - 1, 1, `one 总体要求 in "${heading}"`);
  await page.locator('[data-testid=hit-title]').click();
  const current = page.locator('[data-testid=plan-item].current');
  await current.waitFor();
  assert.match(await current.textContent(), /总体要求/);
  assert.deepEqual(errors, []);
  await shot(page, '08-preamble');
  await context.close();
});

test('phone width: facets fold above the results', async () => {
  const { context, page } = await open({ width: 390, height: 844 });
  await page.goto(`${BASE}/?q=${encodeURIComponent('双减')}`);
  await waitForHits(page, 3);
  const facets = await page.locator('#facet-panel').boundingBox();
  const hits = await page.locator('[data-testid=hits]').boundingBox();
  assert.ok(facets.y + facets.height <= hits.y, 'the facets sit above the results');
  assert.equal(await page.locator('#facet-panel').getAttribute('open'), null, 'folded');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
  await shot(page, '09-phone');

  await page.click('[data-testid=facet-toggle]');
  await page.locator('[data-testid=facet-region] [data-testid=facet-value]').first().waitFor({ state: 'visible' });
  await shot(page, '10-phone-facets');

  await page.locator('[data-testid=hit-title]').first().click();
  await page.locator('[data-testid=plan-item].current').waitFor();
  await shot(page, '11-phone-reader');
  await context.close();
});

test('the page asks no other host for anything', () => {
  assert.deepEqual(foreign, []);
});
