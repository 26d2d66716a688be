/**
 * The web page (web/), built as `npm start` builds it and served by the real HttpServer
 * on ml-latest-small, driven in Debian's Chromium through playwright-core: a new user
 * searches, rates with half-stars, watches the recommendations turn personal, opens a
 * movie, removes a rating and switches the strategy. What the page shows is checked
 * against what the service answers over HTTP for the same state, so the page cannot
 * pass by showing something plausible but stale.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlData, type InProcessServer, PROJECT_ROOT, startInProcess } from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WEB_DIR = join(PROJECT_ROOT, 'web');
const DIST_INDEX = join(WEB_DIR, 'dist', 'index.html');
const SCREENSHOT = join(PROJECT_ROOT, 'test', 'artifacts', 'web-page.png');
/** How long a wait for the page may last: it waits on the service, never on a clock. */
const WAIT_MS = 10_000;
const poll = { timeout: WAIT_MS, interval: 50 };

/** The newest modification time under `dir`, skipping the build output. */
function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

/** Builds web/dist when it is missing or older than the page's sources or the lockfile. */
function buildPageIfStale(): void {
  const sources = Math.max(
    newestMtimeMs(WEB_DIR),
    statSync(join(PROJECT_ROOT, 'package-lock.json')).mtimeMs,
  );
  if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources) return;
  try {
    execFileSync('npm', ['run', '-s', 'build:web'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build:web failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The titles and sources of the recommendations the page shows, once it is not loading. */
async function shownRecommendations(page: Page): Promise<{
  readonly strategy: string | null;
  readonly titles: ReadonlyArray<string>;
  readonly sources: ReadonlyArray<string | null>;
  /** Every reason line of every item, e.g. "because you rated Heat (4.5★)". */
  readonly reasons: ReadonlyArray<string>;
}> {
  const list = page.getByTestId('recommendations');
  await list.and(page.locator('[aria-busy="false"]')).waitFor();
  const items = await list.getByTestId('recommendation').all();
  return {
    strategy: await list.getAttribute('data-strategy'),
    titles: await list.getByTestId('movie-title').allTextContents(),
    sources: await Promise.all(items.map((item) => item.getAttribute('data-source'))),
    reasons: await list.getByRole('list', { name: 'Why' }).getByRole('listitem').allTextContents(),
  };
}

/** The search result row of the movie titled exactly `title`. */
function resultRow(page: Page, title: string): Locator {
  return page
    .getByTestId('search-results')
    .getByTestId('movie-row')
    .filter({ has: page.getByRole('button', { name: title, exact: true }) });
}

async function search(page: Page, words: string): Promise<void> {
  await page.getByTestId('search-input').fill(words);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  // every listed title holds every word once the new page of results is in
  const wanted = words.split(' ');
  await expect
    .poll(async () => {
      const titles = await page
        .getByTestId('search-results')
        .getByTestId('movie-title')
        .allTextContents();
      return (
        titles.length > 0 && titles.every((t) => wanted.every((w) => t.toLowerCase().includes(w)))
      );
    }, poll)
    .toBe(true);
}

/** Clicks the half-star worth `stars` in the row of `title` and waits for the service. */
async function rate(page: Page, title: string, stars: number): Promise<void> {
  const row = resultRow(page, title);
  await row.getByRole('button', { name: `${stars} stars`, exact: true }).click();
  await expect
    .poll(() => page.getByRole('status').textContent(), poll)
    .toMatch(new RegExp(`^Rated ${title} ${stars} stars`));
  // the user's ratings were refetched: the stars show the value the service stored
  await expect
    .poll(() => row.getByTestId('star-rating').getAttribute('data-value'), poll)
    .toBe(String(stars));
}

interface UserRatings {
  user: {
    ratingCount: number;
    ratings: { edges: { node: { value: number; movie: { title: string } } }[] };
  } | null;
}

const USER_RATINGS = `query ($id: ID!) {
  user(id: $id) { ratingCount ratings(first: 100) { edges { node { value movie { title } } } } }
}`;

const RECOMMENDATION_TITLES = `query ($userId: ID!, $strategy: Strategy!) {
  recommendations(userId: $userId, strategy: $strategy, first: 10) { movie { title } }
}`;

/** The titles the service itself recommends, for comparison with what the page shows. */
async function recommendationTitles(
  server: InProcessServer | undefined,
  userId: string,
  strategy: string,
): Promise<ReadonlyArray<string>> {
  const data = await gqlData<{ recommendations: { movie: { title: string } }[] }>(
    server?.url ?? '',
    RECOMMENDATION_TITLES,
    { userId, strategy },
  );
  return data.recommendations.map((r) => r.movie.title);
}

describe('the web page in Chromium, against the real service on ml-latest-small', () => {
  let server: InProcessServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let userId = '';
  let popularTitles: ReadonlyArray<string> = [];
  const pageErrors: string[] = [];
  const graphqlRequests: { method: string; body: string | null }[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `no Chromium at ${CHROMIUM}: install it with \`apt-get install chromium\` (Debian), or set CHROMIUM_PATH`,
      );
    }
    buildPageIfStale();
    server = await startInProcess({ dataset: 'ml-latest-small' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(WAIT_MS);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/graphql') {
        graphqlRequests.push({ method: request.method(), body: request.postData() });
      }
    });
  }, 60_000);

  afterAll(async () => {
    // the screenshot is written whatever happened before, so a failure leaves a picture too
    if (browser && page) {
      mkdirSync(join(PROJECT_ROOT, 'test', 'artifacts'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
    }
    await browser?.close();
    await server?.close();
  });

  it('given the built page, when opened at /, then the service serves it and it lists the catalogue', async () => {
    const response = await page.goto(`${server?.origin}/`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('movie-recs');
    await expect
      .poll(() => page.getByTestId('search-results').getByTestId('movie-row').count(), poll)
      .toBe(20);
    await expect(page.getByTestId('search-summary').textContent()).resolves.toMatch(
      /^Movies 1–20 of \d{4}/,
    );
  });

  it('given an id the service refuses, when using it, then the page shows the error code and message', async () => {
    await page.getByTestId('user-id-input').fill('9999999999');
    await page.getByRole('button', { name: 'Use this user' }).click();
    await expect
      .poll(() => page.getByRole('alert').allTextContents(), poll)
      .toContainEqual(expect.stringContaining('BAD_USER_INPUT: id must be a positive integer id'));
  });

  it('given a new user, when starting, then the recommendations are popular movies without reasons', async () => {
    await page.getByTestId('new-user').click();
    await expect
      .poll(() => page.getByTestId('current-user').textContent(), poll)
      .toMatch(/^User \d{6}: new, no ratings yet$/);
    const current = await page.getByTestId('current-user').textContent();
    userId = /User (\d+)/.exec(current ?? '')?.[1] ?? '';
    expect(Number(userId)).toBeGreaterThan(100_000);

    const shown = await shownRecommendations(page);
    expect(shown.titles).toHaveLength(10);
    expect(new Set(shown.sources)).toEqual(new Set(['POPULARITY']));
    expect(shown.reasons).toEqual([]);
    popularTitles = shown.titles;
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
  });

  it('when searching a title, then only the movies whose titles hold the words are listed', async () => {
    await search(page, 'heat');
    await expect(resultRow(page, 'Heat').textContent()).resolves.toContain('(1995)');
  });

  it('when rating movies with half-stars, then the recommendations turn personal, with the rated movies as reasons', async () => {
    await rate(page, 'Heat', 4.5);
    await expect
      .poll(async () => (await shownRecommendations(page)).reasons, poll)
      .toContainEqual(expect.stringMatching(/^because you rated Heat \(4\.5★\)$/));
    const afterOne = await shownRecommendations(page);
    expect(new Set(afterOne.sources)).toEqual(new Set(['NEIGHBOURS']));
    expect(afterOne.titles).not.toEqual(popularTitles);

    await search(page, 'toy story');
    await rate(page, 'Toy Story', 3.5);
    await search(page, 'godfather');
    await rate(page, 'Godfather, The', 5);
    // a changed mind replaces the rating rather than adding one
    await rate(page, 'Godfather, The', 2.5);
    await expect
      .poll(() => page.getByRole('status').textContent(), poll)
      .toBe('Rated Godfather, The 2.5 stars (was 5 stars).');

    await expect
      .poll(() => page.getByTestId('current-user').textContent(), poll)
      .toBe(`User ${userId}: 3 ratings`);
    const stored = await gqlData<UserRatings>(server?.url ?? '', USER_RATINGS, { id: userId });
    expect(
      Object.fromEntries(
        stored.user?.ratings.edges.map((e) => [e.node.movie.title, e.node.value]) ?? [],
      ),
    ).toEqual({ Heat: 4.5, 'Toy Story': 3.5, 'Godfather, The': 2.5 });

    // the list becomes the service's current one (polled: the refetch a write causes may
    // still be on its way), and every "because you rated" names one of the user's movies
    const expected = await recommendationTitles(server, userId, 'HYBRID');
    await expect
      .poll(async () => (await shownRecommendations(page)).titles, poll)
      .toEqual(expected);
    const because = (await shownRecommendations(page)).reasons.flatMap(
      (r) => /^because you rated (.+) \(/.exec(r)?.[1] ?? [],
    );
    expect(because.length).toBeGreaterThan(0);
    for (const title of because) expect(['Heat', 'Toy Story', 'Godfather, The']).toContain(title);
  });

  it('when removing a rating, then the service forgets it and the page shows one rating less', async () => {
    await page.getByRole('button', { name: 'Remove rating of Toy Story' }).first().click();
    await expect
      .poll(() => page.getByRole('status').textContent(), poll)
      .toBe('Removed your rating of Toy Story.');
    await expect
      .poll(() => page.getByTestId('current-user').textContent(), poll)
      .toBe(`User ${userId}: 2 ratings`);
    await expect(page.getByTestId('your-ratings').textContent()).resolves.not.toContain(
      'Toy Story',
    );
    const stored = await gqlData<UserRatings>(server?.url ?? '', USER_RATINGS, { id: userId });
    expect(stored.user?.ratingCount).toBe(2);
  });

  it('when opening a movie, then its details and the similar movies the service lists are shown', async () => {
    await page
      .getByTestId('your-ratings')
      .getByRole('button', { name: 'Heat', exact: true })
      .click();
    const details = page.getByTestId('movie-details');
    await expect
      .poll(() => details.getByRole('heading', { level: 2 }).textContent(), poll)
      .toBe('Heat (1995)');
    await details.getByTestId('similar-movies').waitFor();
    const similar = await details
      .getByTestId('similar-movies')
      .getByTestId('movie-title')
      .allTextContents();
    const expected = await gqlData<{ similarMovies: { movie: { title: string } }[] }>(
      server?.url ?? '',
      'query ($id: ID!) { similarMovies(movieId: $id, first: 10) { movie { title } } }',
      { id: '6' },
    );
    expect(similar).toHaveLength(10);
    expect(similar).toEqual(expected.similarMovies.map((s) => s.movie.title));
    // the user's own stars are on the opened movie too
    await expect(details.getByTestId('star-rating').getAttribute('data-value')).resolves.toBe(
      '4.5',
    );
  });

  it('when switching the strategy, then the list reloads with the recommendations of that strategy', async () => {
    for (const strategy of ['POPULAR', 'ITEM_BASED', 'USER_BASED', 'HYBRID'] as const) {
      await page.getByTestId('strategy-select').selectOption(strategy);
      await expect
        .poll(async () => (await shownRecommendations(page)).strategy, poll)
        .toBe(strategy);
      const expected = await recommendationTitles(server, userId, strategy);
      await expect
        .poll(async () => (await shownRecommendations(page)).titles, { ...poll, message: strategy })
        .toEqual(expected);
      const shown = await shownRecommendations(page);
      if (strategy === 'POPULAR') expect(shown.reasons).toEqual([]);
      if (strategy === 'ITEM_BASED') {
        expect(shown.reasons).toContainEqual(expect.stringMatching(/^because you rated /));
      }
    }
  });

  it('given all of the above, then every GraphQL request was a POST of a fixed document and the page threw nothing', () => {
    expect(pageErrors).toEqual([]);
    expect(graphqlRequests.length).toBeGreaterThan(10);
    for (const { method, body } of graphqlRequests) {
      expect(method).toBe('POST');
      const { query } = JSON.parse(body ?? '{}') as { query: string };
      // ids, ratings and page sizes travel as variables: the documents hold no number at all
      expect(query).not.toMatch(/[0-9]/);
    }
  });
});
