// Settings: one's profile, privacy (who sees moods, who may hug, online status),
// logging out, and deleting the account.

import { api } from '../api.js';
import { field, h, onSubmit, toast } from '../dom.js';
import { session } from '../session.js';

function radios(legend, name, options, current) {
  return h('fieldset', { dataset: { field: name } },
    h('legend', {}, legend),
    options.map(([value, label]) => h('label', { class: 'row' },
      h('input', { type: 'radio', name, value, checked: value === current }), h('span', {}, label))),
    h('p.field-error', { dataset: { errorFor: name } }));
}

function profileForm(me) {
  const text = (value) => h('input', { type: 'text', value: value || '' });
  const form = h('form', { noValidate: true, 'aria-labelledby': 'profile-title' },
    field('Display name', text(me.displayName), { name: 'displayName' }),
    field('Status', text(me.status), { name: 'status', hint: 'A short line your friends see.' }),
    field('About you', h('textarea', { value: me.bio || '' }), { name: 'bio' }),
    h('p.form-error', { role: 'alert', tabIndex: -1 }),
    h('button', { type: 'submit' }, 'Save profile'));
  const orNull = (v) => (String(v || '').trim() ? String(v).trim() : null);
  return onSubmit(form, async (data) => {
    session.updateUser(await api('users/me', {
      method: 'PATCH',
      body: { displayName: orNull(data.get('displayName')), status: orNull(data.get('status')), bio: orNull(data.get('bio')) },
    }));
    toast('Profile saved');
  });
}

function privacyForm(privacy) {
  const online = h('input', { type: 'checkbox', name: 'showOnline', checked: privacy.showOnline });
  const form = h('form', { noValidate: true, 'aria-labelledby': 'privacy-title' },
    radios('Who sees my moods', 'moodVisibility',
      [['public', 'Everyone'], ['friends', 'My friends'], ['private', 'Only me (public check-ins stay public)']],
      privacy.moodVisibility),
    radios('Who may send me hugs', 'allowHugsFrom',
      [['everyone', 'Everyone'], ['friends', 'My friends'], ['nobody', 'Nobody']], privacy.allowHugsFrom),
    h('div.field', { dataset: { field: 'showOnline' } },
      h('label', { class: 'row' }, online, h('span', {}, 'Show others when I am online')),
      h('p.field-error', { dataset: { errorFor: 'showOnline' } })),
    h('p.form-error', { role: 'alert', tabIndex: -1 }),
    h('button', { type: 'submit' }, 'Save privacy settings'));
  return onSubmit(form, async (data) => {
    await api('users/me/privacy', {
      method: 'PUT',
      body: { moodVisibility: data.get('moodVisibility'), allowHugsFrom: data.get('allowHugsFrom'), showOnline: online.checked },
    });
    toast('Privacy settings saved');
  });
}

export function settingsView({ me }) {
  const body = h('div.grid', {}, h('p.loading', {}, 'Loading…'));
  const load = async () => {
    const [profile, privacy] = await Promise.all([api('users/me'), api('users/me/privacy')]);
    session.updateUser(profile);
    const remove = h('button.danger', {
      type: 'button',
      onClick: async () => {
        // A native dialog: focus handling and keyboard use come with it.
        if (!window.confirm('Delete your account and everything in it? This cannot be undone.')) return;
        await api('users/me', { method: 'DELETE' });
        session.end();
      },
    }, 'Delete my account');
    body.replaceChildren(
      h('section.card', { 'aria-labelledby': 'profile-title' },
        h('h2', { id: 'profile-title' }, 'Profile'),
        h('p.muted', {}, `Signed in as @${profile.username}${profile.isAnonymous ? ' (anonymous account)' : ''}`,
          profile.email ? ` · ${profile.email}` : ''),
        profileForm(profile)),
      h('section.card', { 'aria-labelledby': 'privacy-title' },
        h('h2', { id: 'privacy-title' }, 'Privacy'), privacyForm(privacy)),
      h('section.card', { 'aria-labelledby': 'account-title' },
        h('h2', { id: 'account-title' }, 'Account'),
        h('div.row', {},
          h('button.secondary', { type: 'button', onClick: () => session.logout() }, 'Log out'),
          remove)));
  };
  return { el: h('div', {}, h('h1.sr-only', {}, 'Settings'), body), load, me };
}
