// The web phone in a real browser: Chromium's fake microphone plays a committed speech clip into /console/phone, the
// page places a call to the real server (local vendor fakes behind it), the greeting plays and is shown, the clip is
// heard, transcribed and answered, the page hangs up. Prints CALL_SID=<sid> for the JUnit side, which checks the
// stored call. Run by WebPhoneBrowserTest; needs BASE_URL, ADMIN_KEY (signs in on the console's sign-in page), MIC_WAV, PERSONA, EXPECT_GREETING,
// EXPECT_CALLER, EXPECT_ANSWER and SCREENSHOT.
import { env, fail, launch } from './lib/browser.mjs';

const base = env('BASE_URL');
const persona = env('PERSONA');
const expected = { greeting: env('EXPECT_GREETING'), caller: env('EXPECT_CALLER'), answer: env('EXPECT_ANSWER') };

const browser = await launch({ fakeMicrophoneWav: env('MIC_WAV') });
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  // Signed in as a person is: the console's sign-in page sets the session cookie the phone's socket needs.
  await page.goto(`${base}/console/phone`);
  if (!page.url().endsWith('/console/login')) fail(`signed out, /console/phone should lead to the sign-in page, not ${page.url()}`);
  await page.fill('#key', env('ADMIN_KEY'));
  await Promise.all([page.waitForURL(`${base}/console`, { timeout: 10_000 }), page.click('button[type=submit]')]);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });

  await page.goto(`${base}/console/phone?persona=${encodeURIComponent(persona)}`);
  await page.waitForSelector('#call:not([disabled])', { timeout: 10_000 });
  const chosen = await page.$eval('#persona', (s) => s.value);
  if (chosen !== persona) fail(`?persona=${persona} should preselect it, the dropdown shows ${chosen}`);

  const started = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  await page.click('#call');
  await page.waitForSelector('#status[data-state="in-call"]', { timeout: 10_000 });
  console.log(`${at()} in call`);

  const turn = async (role, text, timeout) => {
    try {
      await page.waitForFunction(([r, t]) => window.webPhone.transcript.some((x) => x.role === r && x.text.includes(t)),
        [role, text], { timeout, polling: 100 });
    } catch (e) {
      const shown = await page.evaluate(() => JSON.stringify(window.webPhone));
      fail(`no ${role} turn "${text}" within ${timeout} ms; the page has ${shown}\n${problems.join('\n')}`);
    }
    console.log(`${at()} ${role}: ${text}`);
  };
  await turn('agent', expected.greeting, 15_000);
  await turn('caller', expected.caller, 25_000);
  await turn('agent', expected.answer, 15_000);

  const stats = await page.evaluate(() => ({ ...window.webPhone, transcript: undefined }));
  console.log(`stats ${JSON.stringify(stats)}`);
  if (stats.framesSent < 200) fail(`the microphone should have streamed 20 ms frames for seconds: ${stats.framesSent}`);
  if (stats.mediaReceived < 20) fail(`the agent's audio should have arrived: ${stats.mediaReceived} media messages`);
  if (stats.marksEchoed < 2) fail(`marks should be echoed as their audio plays: ${stats.marksEchoed}`);
  if (stats.playedMs < 1000) fail(`the agent's audio should have played: ${stats.playedMs} ms`);
  const shown = await page.$$eval('#transcript li', (items) => items.map((li) => `${li.className}: ${li.textContent}`));
  if (!shown.some((t) => t.startsWith('agent') && t.includes(expected.greeting))) fail(`transcript list: ${shown}`);

  await page.screenshot({ path: env('SCREENSHOT') });

  // The console, in another tab of the same signed-in browser, shows the web call live with its transcript...
  const consolePage = await context.newPage();
  await consolePage.goto(`${base}/console`);
  try {
    await consolePage.waitForFunction((t) => [...document.querySelectorAll('.live-call')].some((c) => c.textContent.includes(t)),
      expected.answer, { timeout: 10_000 });
  } catch (e) {
    fail(`the live console does not show the web call: ${await consolePage.textContent('body')}`);
  }
  console.log(`${at()} console: the web call is live`);

  await page.click('#hangup');
  await page.waitForSelector('#status[data-state="ended"]', { timeout: 5_000 });
  console.log(`${at()} hung up: ${await page.textContent('#status')}`);

  // ...and, once it has ended, in the history, whose call page has the conversation.
  try {
    await consolePage.waitForSelector(`#history tr[data-call-sid="${stats.callSid}"]`, { timeout: 10_000 });
    await consolePage.goto(`${base}/console/calls/${stats.callSid}`);
    await consolePage.waitForFunction((words) => words.every((w) => document.querySelector('#chat')?.textContent.includes(w)),
      [expected.greeting, expected.caller, expected.answer], { timeout: 10_000 });
  } catch (e) {
    const chat = await consolePage.evaluate(() => document.querySelector('#chat')?.textContent ?? '(no #chat)');
    fail(`the console's history and call page should show the ended web call (${consolePage.url()}): ${e.message}\nchat: ${chat}`);
  }
  console.log(`${at()} console: the web call is in the history with its conversation`);
  if (problems.length > 0) fail(problems.join('\n'));
  console.log(`CALL_SID=${stats.callSid}`);
} finally {
  await browser.close();
}
