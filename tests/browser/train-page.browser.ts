/**
 * Training in a real browser: a few steps of a tiny model on wasm (made trainable by `registerKernels`),
 * a checkpoint in IndexedDB (`createIndexedDbCheckpointStore`), the page opened again, training resumed:
 * the resumed steps have exactly the losses of an uninterrupted run.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, type Browser } from './chromium.js';

const appUrl = inject('appUrl');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

type Step = { step: number; loss: number };

async function trainOnPage(page: Page, run: string, epochs: number): Promise<{ steps: Step[]; resumedStep: number }> {
  await page.goto(`${appUrl}train.html?run=${run}&epochs=${epochs}&autostart=1`);
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 90_000 });
  expect(await page.locator('#error').textContent()).toBe('');
  const steps = await page.evaluate(() => (window as unknown as { trainedSteps: Step[] }).trainedSteps);
  const resumedStep = Number(await page.locator('body').getAttribute('data-resumed-step'));
  return { steps, resumedStep };
}

test('training resumed from an IndexedDB checkpoint after reopening the page gives the same next losses', async () => {
  const { page, errors } = await browser.newPage();
  // Uninterrupted: two epochs of 4 steps.
  const straight = await trainOnPage(page, 'straight', 2);
  expect(straight.resumedStep).toBe(0);
  expect(straight.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  for (const { loss } of straight.steps) expect(Number.isFinite(loss)).toBe(true);
  // Training moves: every step has its own loss (a resume that replays or skips a batch would show).
  expect(new Set(straight.steps.map((s) => s.loss)).size).toBe(8);
  console.log(`losses: ${straight.steps.map((s) => s.loss.toFixed(5)).join(', ')}`);

  // Interrupted: one epoch, checkpoint saved at its end; the page is opened anew and trains on.
  const first = await trainOnPage(page, 'interrupted', 1);
  expect(first.steps).toEqual(straight.steps.slice(0, 4));
  const resumed = await trainOnPage(page, 'interrupted', 2);
  expect(resumed.resumedStep).toBe(4);
  expect(resumed.steps).toEqual(straight.steps.slice(4));

  // The store's database and tfjs's model database (which holds the checkpoint's weights) both exist.
  const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(databases).toEqual(expect.arrayContaining(['interrupted', 'straight', 'tensorflowjs']));
  expect(errors).toEqual([]);
});
