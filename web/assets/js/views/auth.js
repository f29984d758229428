// Signing in: log in, register, or try the app with an anonymous account.

import { api } from '../api.js';
import { field, h, messageOf, onSubmit } from '../dom.js';
import { session } from '../session.js';

function loginForm() {
  const form = h('form', { noValidate: true, 'aria-label': 'Log in' },
    field('Username or email', h('input', { type: 'text', autocomplete: 'username' }), { name: 'login' }),
    field('Password', h('input', { type: 'password', autocomplete: 'current-password' }), { name: 'password' }),
    h('p.form-error', { role: 'alert', tabIndex: -1 }),
    h('button', { type: 'submit' }, 'Log in'));
  return onSubmit(form, async (data) => session.start(await api('auth/login', {
    method: 'POST', auth: false,
    body: { login: data.get('login'), password: data.get('password') },
  })));
}

function registerForm() {
  const form = h('form', { noValidate: true, 'aria-label': 'Register' },
    field('Username', h('input', { type: 'text', autocomplete: 'username' }),
      { name: 'username', hint: '3 to 30 letters, digits or underscores' }),
    field('Email', h('input', { type: 'email', autocomplete: 'email' }), { name: 'email' }),
    field('Password', h('input', { type: 'password', autocomplete: 'new-password' }),
      { name: 'password', hint: 'At least 8 characters' }),
    field('Display name (optional)', h('input', { type: 'text', autocomplete: 'nickname' }), { name: 'displayName' }),
    h('p.form-error', { role: 'alert', tabIndex: -1 }),
    h('button', { type: 'submit' }, 'Create account'));
  return onSubmit(form, async (data) => {
    const body = { username: data.get('username'), email: data.get('email'), password: data.get('password') };
    if (data.get('displayName')) body.displayName = data.get('displayName');
    session.start(await api('auth/register', { method: 'POST', auth: false, body }));
  });
}

export function authView() {
  const panels = { login: h('div', {}, loginForm()), register: h('div', {}, registerForm()) };
  const tabs = {};
  const select = (name) => {
    for (const [key, tab] of Object.entries(tabs)) {
      tab.setAttribute('aria-selected', String(key === name));
      tab.tabIndex = key === name ? 0 : -1;
      panels[key].hidden = key !== name;
    }
  };
  for (const [key, label] of [['login', 'Log in'], ['register', 'Register']]) {
    tabs[key] = h('button', {
      type: 'button', role: 'tab', id: `tab-${key}`, 'aria-controls': `panel-${key}`, onClick: () => select(key),
    }, label);
    panels[key].id = `panel-${key}`;
    panels[key].setAttribute('role', 'tabpanel');
    panels[key].setAttribute('aria-labelledby', `tab-${key}`);
  }
  const tablist = h('div.tabs', { role: 'tablist', 'aria-label': 'Sign in' }, tabs.login, tabs.register);
  tablist.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      const next = tabs.login.getAttribute('aria-selected') === 'true' ? 'register' : 'login';
      select(next);
      tabs[next].focus();
    }
  });
  select('login');
  const anonymousError = h('p.form-error', { role: 'alert' });
  const tryIt = h('button.secondary', {
    type: 'button',
    onClick: async () => {
      tryIt.disabled = true;
      anonymousError.textContent = '';
      try {
        session.start(await api('auth/anonymous', { method: 'POST', auth: false }));
      } catch (err) {
        anonymousError.textContent = messageOf(err);
      } finally {
        tryIt.disabled = false;
      }
    },
  }, 'Try anonymously');
  return h('div.grid', {},
    h('section.card', { 'aria-labelledby': 'welcome' },
      h('h2', { id: 'welcome' }, 'Welcome to HugMood'),
      h('p', {}, 'Share how you feel with your friends, and send each other hugs.'),
      tablist, panels.login, panels.register),
    h('section.card', { 'aria-labelledby': 'anon' },
      h('h2', { id: 'anon' }, 'Just looking?'),
      h('p', {}, 'Try HugMood without an account. You can register later.'),
      tryIt, anonymousError));
}
