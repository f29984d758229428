// The rest of the app, screen by screen: friends (search, request, accept, decline,
// block), privacy settings, the hug jar, and the analytics charts.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { befriend, call, register } from '../lib/api.mjs';
import { logIn, openContext, screenshot } from '../lib/browser.mjs';
import { hubAndBrowser } from '../lib/suite.mjs';

describe('friends, privacy, hug jar and analytics', () => {
  const env = hubAndBrowser();

  it('finds, requests, accepts, declines and blocks people', async () => {
    const alice = await register(env.hub.base, 'alice', 'Alice');
    const dana = await register(env.hub.base, 'dana', 'Dana');
    const eve = await register(env.hub.base, 'eve', 'Eve');
    const contextA = await openContext(env.browser, env.hub.base);
    const contextD = await openContext(env.browser, env.hub.base);
    const pageA = await contextA.newPage();
    const pageD = await contextD.newPage();
    await logIn(pageA, alice);
    await logIn(pageD, dana);
    await pageA.goto('/#/friends');
    await pageD.goto('/#/friends');

    const search = pageA.getByRole('search', { name: 'Find people' });
    await search.getByLabel('Find people by name').fill(dana.username);
    await search.getByRole('button', { name: 'Search' }).click();
    await pageA.getByRole('button', { name: 'Add Dana as a friend' }).click();
    await pageA.getByRole('region', { name: 'Sent requests' }).getByText('Dana', { exact: true }).waitFor();

    // The request reaches Dana's open page live; so does Eve's.
    await call(env.hub.base, 'friends/requests', { method: 'POST', token: eve.accessToken, body: { userId: dana.user.id } });
    const requests = pageD.getByRole('region', { name: 'Friend requests' });
    await requests.getByRole('button', { name: 'Accept Alice' }).click({ timeout: 5000 });
    await requests.getByRole('button', { name: 'Decline Eve' }).click({ timeout: 5000 });
    await pageD.getByRole('region', { name: 'Your friends' }).getByText('Alice', { exact: true }).waitFor();
    // Alice's page hears of the acceptance live.
    await pageA.getByRole('region', { name: 'Your friends' }).getByText('Dana', { exact: true }).waitFor({ timeout: 5000 });

    const searchD = pageD.getByRole('search', { name: 'Find people' });
    await searchD.getByLabel('Find people by name').fill(eve.username);
    await searchD.getByRole('button', { name: 'Search' }).click();
    await pageD.getByRole('button', { name: 'Block Eve' }).click();
    await pageD.getByRole('button', { name: 'Unblock Eve' }).waitFor();
    const refused = await fetch(`${env.hub.base}/api/v1/hugs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${eve.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ recipientId: dana.user.id, hugType: 'warm' }),
    });
    assert.equal(refused.status, 403, 'a blocked user cannot hug');
    await screenshot(pageD, 'tour-friends');
    contextA.guard.check();
    contextD.guard.check();
    await contextA.close();
    await contextD.close();
  });

  it('saves privacy settings', async () => {
    const frank = await register(env.hub.base, 'frank', 'Frank');
    const context = await openContext(env.browser, env.hub.base);
    const page = await context.newPage();
    await logIn(page, frank);
    await page.goto('/#/settings');
    const form = page.getByRole('form', { name: 'Privacy' });
    await form.getByRole('radio', { name: 'Only me' }).check();
    await form.getByRole('group', { name: 'Who may send me hugs' }).getByRole('radio', { name: 'Nobody' }).check();
    await form.getByLabel('Show others when I am online').uncheck();
    await form.getByRole('button', { name: 'Save privacy settings' }).click();
    await page.getByText('Privacy settings saved').waitFor();
    const privacy = await call(env.hub.base, 'users/me/privacy', { token: frank.accessToken });
    assert.deepEqual(privacy, { moodVisibility: 'private', allowHugsFrom: 'nobody', showOnline: false });
    await page.reload();
    assert.equal(await page.getByRole('radio', { name: 'Nobody' }).isChecked(), true);
    await screenshot(page, 'tour-settings');
    context.guard.check();
    await context.close();
  });

  it('keeps a received hug in the hug jar', async () => {
    const gina = await register(env.hub.base, 'gina', 'Gina');
    const hank = await register(env.hub.base, 'hank', 'Hank');
    await befriend(env.hub.base, gina, hank);
    await call(env.hub.base, 'hugs', {
      method: 'POST', token: hank.accessToken, body: { recipientId: gina.user.id, hugType: 'healing', message: 'feel better soon' },
    });
    const context = await openContext(env.browser, env.hub.base);
    const page = await context.newPage();
    await logIn(page, gina);
    const hug = page.getByRole('region', { name: 'Hugs received' }).getByRole('listitem').filter({ hasText: 'feel better soon' });
    await hug.getByRole('button', { name: 'Save to jar' }).click();
    await page.getByText('Saved to My hug jar').waitFor();
    await hug.getByRole('button', { name: 'Mark seen' }).click();
    await hug.getByText('seen', { exact: true }).waitFor();
    await page.goto('/#/jar');
    await page.getByRole('button', { name: 'Open My hug jar' }).click();
    await page.getByRole('region', { name: 'In “My hug jar”' }).getByText('feel better soon').waitFor();
    await screenshot(page, 'tour-jar');
    context.guard.check();
    await context.close();
  });

  it('checks in with valence and arousal set by hand', async () => {
    const jack = await register(env.hub.base, 'jack', 'Jack');
    const context = await openContext(env.browser, env.hub.base);
    const page = await context.newPage();
    await logIn(page, jack);
    const form = page.getByRole('form', { name: 'Check in' });
    await form.locator('label.choice').filter({ hasText: /anxious$/ }).click();
    await form.getByLabel('Intensity (1 to 10)').fill('8');
    await form.getByLabel('Tags (optional)').fill('exam, coffee');
    await form.getByLabel('Who can see it').selectOption({ label: 'Public: anyone' });
    // The sliders are the keyboard's way to the valence/arousal pad.
    const valence = form.getByLabel('Valence (unpleasant to pleasant)');
    await valence.focus();
    await valence.press('Home');
    for (let i = 0; i < 25; i += 1) await valence.press('ArrowRight');
    await form.getByLabel('Arousal (calm to energetic)').fill('90');
    await form.getByRole('button', { name: 'Check in' }).click();
    await page.getByRole('region', { name: 'Your recent check-ins' }).getByText('#exam #coffee').waitFor();
    const moods = await call(env.hub.base, `moods?user_id=${jack.user.id}`, { token: jack.accessToken });
    const entry = moods.items[0];
    assert.deepEqual(
      [entry.mood, entry.intensity, entry.valence, entry.arousal, entry.isPublic, entry.tags],
      ['anxious', 8, 0.25, 0.9, true, ['exam', 'coffee']],
    );
    context.guard.check();
    await context.close();
  });

  it('draws the analytics charts', async () => {
    const ivy = await register(env.hub.base, 'ivy', 'Ivy');
    for (const [mood, intensity, tags] of [['happy', 7, ['work']], ['sad', 3, ['rain']], ['calm', 5, ['tea']], ['excited', 9, ['work']]]) {
      await call(env.hub.base, 'moods', { method: 'POST', token: ivy.accessToken, body: { mood, intensity, tags } });
    }
    const context = await openContext(env.browser, env.hub.base);
    const page = await context.newPage();
    await logIn(page, ivy);
    await page.goto('/#/analytics');
    for (const caption of ['Trend', 'Mood by weekday', 'Mood by hour of day', 'Mood mix']) {
      await page.getByRole('figure', { name: caption }).waitFor();
    }
    assert.equal(await page.locator('.stat', { hasText: 'Current streak' }).locator('b').innerText(), '1 day');
    assert.equal(await page.locator('.stat', { hasText: 'Check-ins' }).locator('b').innerText(), '4');
    const bars = await page.getByRole('figure', { name: 'Mood by weekday' }).locator('rect.bar:not(.empty)').count();
    assert.equal(bars, 1, "today's weekday has a bar");
    assert.equal(await page.getByRole('figure', { name: 'Trend' }).locator('circle.point').count(), 4);
    // The figures are there for screen readers as a table.
    await page.getByRole('table', { name: 'Mood mix' }).getByRole('cell', { name: 'sad' }).waitFor();
    await page.getByLabel('Period').selectOption('week');
    await page.getByRole('figure', { name: 'Trend' }).waitFor();
    await screenshot(page, 'tour-analytics');
    context.guard.check();
    await context.close();
  });
});
