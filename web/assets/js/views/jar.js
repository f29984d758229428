// The hug jar: collections of saved hugs ("Save to jar" on a received hug puts it in
// the first one). Make new jars, look inside, take a hug out, empty a jar away.

import { api, query } from '../api.js';
import { actionButton, clear, field, h, onSubmit, timeEl } from '../dom.js';
import { HUG_EMOJI, nameOf, userById } from '../state.js';

export function jarView() {
  const jars = h('ul.list');
  const inside = h('section.card', { 'aria-labelledby': 'jar-inside-title', hidden: true });
  const form = h('form', { noValidate: true, 'aria-label': 'New jar' },
    field('Name of a new jar', h('input', { type: 'text' }), { name: 'name' }),
    h('p.form-error', { role: 'alert', tabIndex: -1 }),
    h('button', { type: 'submit' }, 'Make jar'));

  const open = async (jar) => {
    const detail = await api(`collections/${jar.id}${query({ per_page: 50 })}`);
    const rows = await Promise.all(detail.hugs.items.map(async (hug) => {
      const sender = await userById(hug.senderId);
      const row = h('li', {},
        h('div.item-head', {},
          h('span', {}, `${HUG_EMOJI[hug.hugType] || '🤗'} ${hug.hugType} hug from ${nameOf(sender)}`), timeEl(hug.sentAt)),
        hug.message ? h('p', {}, hug.message) : null,
        h('div.item-actions', {}, actionButton('Take out', async () => {
          await api(`collections/${jar.id}/hugs/${hug.id}`, { method: 'DELETE' });
          row.remove();
          load();
        }, { class: 'small secondary' })));
      return row;
    }));
    inside.hidden = false;
    inside.replaceChildren(
      h('h2', { id: 'jar-inside-title', tabIndex: -1 }, `In “${detail.name}”`),
      rows.length ? h('ul.list', {}, rows) : h('p.muted', {}, 'This jar is empty. Save hugs from the home screen.'));
    inside.querySelector('h2').focus();
  };

  async function load() {
    const page = await api(`collections${query({ per_page: 100 })}`);
    clear(jars).append(...(page.items.length ? page.items.map((jar) => h('li', {},
      h('div.item-head', {},
        h('span', {}, h('strong', {}, jar.name), h('span.muted', {}, ` · ${jar.hugCount} hug${jar.hugCount === 1 ? '' : 's'}`)),
        h('div.item-actions', {},
          actionButton('Open', () => open(jar), { class: 'small', 'aria-label': `Open ${jar.name}` }),
          actionButton('Delete', async () => {
            await api(`collections/${jar.id}`, { method: 'DELETE' });
            inside.hidden = true;
            load();
          }, { class: 'small danger', 'aria-label': `Delete ${jar.name}` }))))) : [h('li.muted', {}, 'No jar yet: saving a hug makes one.')]));
  }

  onSubmit(form, async (data) => {
    await api('collections', { method: 'POST', body: { name: data.get('name') } });
    form.reset();
    await load();
  });
  const el = h('div', {},
    h('h1.sr-only', {}, 'Hug jar'),
    h('div.grid', {},
      h('section.card', { 'aria-labelledby': 'jars-title' }, h('h2', { id: 'jars-title' }, 'Your hug jars'), jars, form),
      inside));
  return { el, load };
}
