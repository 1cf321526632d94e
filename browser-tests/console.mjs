// The console in a real browser against the real server (run by ConsoleBrowserTest, which places a phone call
// through the Twilio emulator while this script watches). Steps are coordinated through files in $SIGNALS:
// this script writes `signed-in`, `saw-call` and `live-shot`; the JUnit side places the call after `signed-in`,
// has the caller speak after `saw-call`, and hangs up after `live-shot`.
// Env: BASE_URL, ADMIN_KEY, SIGNALS (a directory), SCREENSHOTS (where the PNGs go).
import fs from 'node:fs';
import path from 'node:path';
import { env, fail, launch } from './lib/browser.mjs';

const BASE = env('BASE_URL');
const KEY = env('ADMIN_KEY');
const SIGNALS = env('SIGNALS');
const SHOTS = env('SCREENSHOTS');
const WAIT = 15_000;

function signal(name) {
  fs.writeFileSync(path.join(SIGNALS, name), String(Date.now()));
  console.log(`signal: ${name}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  console.log(`screenshot: ${name}.png`);
}

async function step(what, action) {
  try {
    return await action();
  } catch (e) {
    fail(`${what}: ${e.message.split('\n')[0]}`);
  }
}

fs.mkdirSync(SHOTS, { recursive: true });
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', e => problems.push(`page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error' && !m.text().includes('401')) problems.push(`console: ${m.text()}`); });

  // Signed out: the console sends us to the sign-in page.
  await step('redirect to sign-in', async () => {
    await page.goto(`${BASE}/console`);
    if (!page.url().endsWith('/console/login')) throw new Error(`landed on ${page.url()}`);
  });
  await shot(page, 'login');

  // A wrong key is refused and the page says so, without the key.
  await step('wrong key refused', async () => {
    await page.fill('#key', 'not-the-key');
    await page.click('button[type=submit]');
    await page.waitForSelector('#message.error', { timeout: WAIT });
    const text = await page.textContent('#message');
    if (!text.includes('Wrong key')) throw new Error(`message was: ${text}`);
    if ((await page.content()).includes('not-the-key')) throw new Error('the wrong key was echoed');
    const cookies = await context.cookies();
    if (cookies.some(c => c.name === 'va_console')) throw new Error('a cookie was set for a wrong key');
  });

  // The right key signs in: an HttpOnly, SameSite=Strict cookie, and the live page.
  await step('sign in', async () => {
    await page.fill('#key', KEY);
    await Promise.all([page.waitForURL(`${BASE}/console`, { timeout: WAIT }), page.click('button[type=submit]')]);
    const cookie = (await context.cookies()).find(c => c.name === 'va_console');
    if (!cookie || !cookie.httpOnly || cookie.sameSite !== 'Strict') throw new Error(`cookie: ${JSON.stringify(cookie)}`);
    if (await page.evaluate(() => document.cookie.includes('va_console'))) throw new Error('the cookie is readable by scripts');
    await page.waitForSelector('#live-status.ok', { timeout: WAIT });
  });
  signal('signed-in');

  // The call appears while it is running, with its greeting; then its transcript grows turn by turn.
  let before = 0;
  await step('live call appears', async () => {
    await page.waitForSelector('.live-call .turn.agent', { timeout: WAIT });
    const header = await page.textContent('.live-call header');
    if (!header.includes('Ava, test line') && !header.includes('tester')) throw new Error(`card header: ${header}`);
    if (!header.includes('*')) throw new Error(`the caller is not masked: ${header}`);
    before = await page.locator('.live-call .turn').count();
    console.log(`live: call shown with ${before} turn(s)`);
  });
  signal('saw-call');
  await step('transcript grows', async () => {
    await page.waitForFunction(n => document.querySelectorAll('.live-call .turn').length >= n + 2
      && document.querySelector('.live-call').textContent.includes('What time works for you?'), before, { timeout: WAIT });
    const transcript = await page.textContent('.live-call .chat');
    if (!transcript.includes('book an appointment')) throw new Error(`transcript: ${transcript}`);
    console.log(`live: transcript grew to ${await page.locator('.live-call .turn').count()} turns`);
  });
  await shot(page, 'live');
  signal('live-shot');

  // After the call ends it leaves the live list, and the history lists it.
  await step('history lists the ended call', async () => {
    await page.waitForSelector('.live-call', { state: 'detached', timeout: WAIT });
    await page.waitForFunction(() => {
      const row = document.querySelector('#history tr[data-call-sid]');
      return row && !row.textContent.includes('live') && row.children[4].textContent !== '–';
    }, null, { timeout: WAIT });
  });
  await step('search by number', async () => {
    await page.fill('#phone', '+15559999999');
    await page.click('#search button');
    await page.waitForFunction(() => document.querySelector('#history').textContent.includes('No calls'), null, { timeout: WAIT });
    await page.fill('#phone', '+15557654321');
    await page.click('#search button');
    await page.waitForSelector('#history tr[data-call-sid]', { timeout: WAIT });
  });
  await shot(page, 'history');

  // The call page: the conversation, the latency bars per stage, the CRM delivery.
  await step('call page', async () => {
    await Promise.all([page.waitForURL(/\/console\/calls\/CA[0-9a-f]{32}$/, { timeout: WAIT }),
                       page.click('#history tr[data-call-sid] a')]);
    await page.waitForFunction(() => document.querySelectorAll('#chat .turn').length >= 3, null, { timeout: WAIT });
    const chat = await page.textContent('#chat');
    for (const words of ['Hello, how can I help?', 'book an appointment', 'What time works for you?']) {
      if (!chat.includes(words)) throw new Error(`the chat lacks "${words}": ${chat}`);
    }
    for (const stage of ['eos', 'stt', 'llmFirstToken', 'ttsFirstByte']) {
      const width = await page.locator(`#timings .bar.${stage}`).first().evaluate(e => e.getBoundingClientRect().width);
      if (!(width > 0)) throw new Error(`no ${stage} bar`);
    }
    await page.waitForSelector('#delivery tr[data-target="extraction"]', { timeout: WAIT });
    // Let the after-call work finish so the picture shows the summary and the delivered targets.
    await page.waitForFunction(() => !document.querySelector('#delivery').textContent.includes('pending'), null, { timeout: WAIT })
      .catch(() => console.log('call: delivery still pending at the screenshot'));
  });
  await shot(page, 'call');

  // Personas: in force, their numbers, the file's state, a link to talk to each.
  await step('personas page', async () => {
    await page.click('nav a[data-nav=personas]');
    await page.waitForSelector('.persona', { timeout: WAIT });
    const href = await page.getAttribute('.persona a.button', 'href');
    if (href !== '/console/phone?persona=tester') throw new Error(`talk link: ${href}`);
    const banner = await page.textContent('#validation');
    if (!banner.includes('valid')) throw new Error(`banner: ${banner}`);
    if (!(await page.textContent('.persona')).includes('+15550100001')) throw new Error('the number is missing');
  });
  await shot(page, 'personas');

  // Signing out ends the session: the console is closed again.
  await step('sign out', async () => {
    await Promise.all([page.waitForURL(`${BASE}/console/login`, { timeout: WAIT }), page.click('.signout button')]);
    await page.goto(`${BASE}/console/personas`);
    if (!page.url().endsWith('/console/login')) throw new Error(`after sign-out: ${page.url()}`);
  });

  if (problems.length) fail(problems.join('\n'));
  console.log('console: OK');
} finally {
  await browser.close();
}
