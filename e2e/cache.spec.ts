import { expect, test } from '@playwright/test';
import { SMOKE, openView, waitReady, watchErrors } from './helpers';

/** Issue 12: the "Clear cached data" control, and a malformed imported result that leaves the page intact. */
test('clear cached data empties the lab storage and says how much it freed', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('unlearning-lab', 1);
      r.onupgradeneeded = () => {
        for (const s of ['weights', 'datasets']) {
          if (!r.result.objectStoreNames.contains(s)) r.result.createObjectStore(s);
        }
      };
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    await new Promise<void>((res, rej) => {
      const tx = db.transaction('weights', 'readwrite');
      tx.objectStore('weights').put(new Uint8Array(4 << 20).fill(7).buffer, 'test-entry');
      tx.oncomplete = () => res();
      tx.onerror = () => rej(tx.error);
    });
    db.close();
    // the runs list's own database (src/app/store/runs-db.ts), created by the page on load
    const runs = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('unlearning-lab-runs', 1);
      r.onupgradeneeded = () => {
        if (!r.result.objectStoreNames.contains('runs')) r.result.createObjectStore('runs', { keyPath: 'id' });
        if (!r.result.objectStoreNames.contains('meta')) r.result.createObjectStore('meta');
      };
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    await new Promise<void>((res, rej) => {
      const tx = runs.transaction('runs', 'readwrite');
      tx.objectStore('runs').put({ id: 'test-run', name: 'x', seeds: [] });
      tx.oncomplete = () => res();
      tx.onerror = () => rej(tx.error);
    });
    runs.close();
    localStorage.setItem('unlearning-lab.recent.v1', JSON.stringify([{ id: 'x', at: 0, result: {} }]));
    localStorage.setItem('someone-else', 'kept');
  });
  await page.getByTestId('clear-cache').click();
  await expect(page.getByTestId('clear-cache-result')).toContainText(
    /Cleared cached weights, datasets and stored runs \((freed \d|the browser gives no size)/,
  );
  const left = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res) => {
      const r = indexedDB.open('unlearning-lab', 1);
      r.onsuccess = () => res(r.result);
    });
    const n = await new Promise<number>((res) => {
      const q = db.transaction('weights').objectStore('weights').count();
      q.onsuccess = () => res(q.result);
    });
    db.close();
    const runsDb = await new Promise<IDBDatabase>((res) => {
      const r = indexedDB.open('unlearning-lab-runs');
      r.onsuccess = () => res(r.result);
    });
    const runs = await new Promise<number>((res) => {
      const q = runsDb.transaction('runs').objectStore('runs').count();
      q.onsuccess = () => res(q.result);
    });
    runsDb.close();
    return {
      n,
      runs,
      recent: localStorage.getItem('unlearning-lab.recent.v1'),
      other: localStorage.getItem('someone-else'),
    };
  });
  expect(left).toEqual({ n: 0, runs: 0, recent: null, other: 'kept' });
});

test('a malformed imported result gives a message naming the path, and the page stays', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  const bad = {
    spec: {},
    env: { backend: 'wasm' },
    split: { trainSize: 1, retainSize: 1, forgetSize: 0, testUsedSize: 1, testEvalSize: 1, forgetClass: null },
    pretrain: { seconds: 1, testAcc: 1, reused: false },
    methods: [{ name: 'CF', withDC: false, unlearnSeconds: 1, metrics: null }],
  };
  const buffer = Buffer.from(JSON.stringify(bad));
  await openView(page, 'runs');
  await page.getByTestId('import-json-input').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer });
  await expect(page.getByTestId('import-error')).toContainText(
    'result.methods[0].metrics: must be an object, got null',
  );
  await openView(page, 'setup');
  await expect(page.getByTestId('device-panel')).toBeVisible();
  await expect(page.getByTestId('run-status')).toHaveText('idle');
  expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
});
