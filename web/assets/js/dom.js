// Small DOM helpers: elements are built with `h()` and text is always set as text
// (never parsed as HTML), so content from the API cannot inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name in el && !name.includes('-') && el.namespaceURI !== SVG_NS) {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children: nodes, strings, numbers, arrays of them; null and false are skipped. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** An HTML element: `h('button', {class: 'x', onClick}, 'Text')`. */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  return build(el, attrs, children);
}

/** An SVG element; attributes are set as attributes. */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

let idCounter = 0;
/** A unique element id with a readable prefix. */
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * A labelled form field: the label, the control, an optional hint and the slot
 * where the API's error for `name` appears (linked with aria-describedby).
 */
export function field(label, control, { hint, name } = {}) {
  const id = control.id || uid(name || 'field');
  control.id = id;
  if (name && !control.name) control.name = name;
  const key = name || control.name;
  const error = h('p.field-error', { id: `${id}-error`, dataset: { errorFor: key } });
  const hintEl = hint ? h('p.hint', { id: `${id}-hint` }, hint) : null;
  control.setAttribute('aria-describedby', [hintEl && hintEl.id, error.id].filter(Boolean).join(' '));
  return h('div.field', { dataset: { field: key } }, h('label', { htmlFor: id }, label), hintEl, control, error);
}

/**
 * Handles `form`'s submissions: `handler(formData)` runs with the submit button
 * disabled and the old errors cleared; what it throws is shown on the form.
 */
export function onSubmit(form, handler) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    try {
      await handler(new FormData(form));
    } catch (err) {
      showErrors(form, err);
    } finally {
      if (button) button.disabled = false;
    }
  });
  return form;
}

/** Removes every error shown on `form`. */
export function clearErrors(form) {
  for (const slot of form.querySelectorAll('[data-error-for]')) slot.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const general = form.querySelector('.form-error');
  if (general) general.textContent = '';
}

/**
 * Shows an API error on `form`: each entry of `details` next to its field (the API
 * names fields as the request body does, `tags[2]` for an item of a list), the rest
 * in the form's general error slot. The first bad field gets the focus.
 */
export function showErrors(form, err) {
  clearErrors(form);
  const general = form.querySelector('.form-error');
  const leftover = [];
  for (const [name, message] of Object.entries((err && err.details) || {})) {
    const key = name.replace(/\[\d+\]$/, '');
    const slot = form.querySelector(`[data-error-for="${CSS.escape(key)}"]`);
    if (!slot) {
      leftover.push(`${name} ${message}`);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent}; ${message}` : capitalize(message);
    const control = form.querySelector(`[data-field="${CSS.escape(key)}"] :is(input, select, textarea)`);
    if (control) control.setAttribute('aria-invalid', 'true');
  }
  if (general) {
    const text = err && err.details && !leftover.length ? '' : messageOf(err);
    general.textContent = [text, ...leftover].filter(Boolean).join(' · ');
  }
  // The first bad field in the form's order, else the general message.
  const first = form.querySelector('[aria-invalid="true"]');
  (first || general)?.focus?.();
}

export function capitalize(text) {
  const s = String(text || '');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A sentence for any failure. */
export function messageOf(err) {
  if (!err) return 'Something went wrong.';
  if (err.name === 'NetworkError') return 'The hub cannot be reached. Check your connection.';
  return capitalize(err.message || 'Something went wrong.');
}

/** A short message that goes away by itself; also read out by screen readers. */
export function toast(text, { error = false, timeout = 5000 } = {}) {
  const host = document.getElementById('toasts');
  const el = h(`div.toast${error ? '.error' : ''}`, { role: error ? 'alert' : 'status' }, text);
  host.append(el);
  setTimeout(() => el.remove(), timeout);
}

/** The message bar under the header (empty text hides it). */
export function banner(text, { error = false } = {}) {
  const el = document.getElementById('banner');
  el.textContent = text || '';
  el.hidden = !text;
  el.classList.toggle('error', !!error);
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "2 minutes ago", for an RFC 3339 time. */
export function ago(iso) {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return RELATIVE.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return RELATIVE.format(Math.round(seconds / 3600), 'hour');
  return RELATIVE.format(Math.round(seconds / 86400), 'day');
}

/** A `<time>` element showing `ago(iso)`, the exact time as its title. */
export function timeEl(iso) {
  return h('time', { dateTime: iso, title: new Date(iso).toLocaleString() }, ago(iso));
}

/** A button that disables itself while `action` runs and shows failures as a toast. */
export function actionButton(label, action, attrs = {}) {
  const button = h('button', {
    type: 'button',
    ...attrs,
    onClick: async () => {
      button.disabled = true;
      try {
        await action();
      } catch (err) {
        toast(messageOf(err), { error: true });
      } finally {
        button.disabled = false;
      }
    },
  }, label);
  return button;
}
