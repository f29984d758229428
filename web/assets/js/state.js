// What the screens share: the unread count, names of users seen so far, and a small
// publish/subscribe hub that live events and queued writes report to. Screens
// subscribe while shown and unsubscribe when they are replaced.

import { api, query } from './api.js';

const topics = new Map();

/** `on('hug_received', fn)` → a function that unsubscribes. */
export function on(topic, fn) {
  if (!topics.has(topic)) topics.set(topic, new Set());
  topics.get(topic).add(fn);
  return () => topics.get(topic).delete(fn);
}

export function emit(topic, payload) {
  for (const fn of [...(topics.get(topic) || [])]) {
    try {
      fn(payload);
    } catch (err) {
      console.warn('a listener failed', topic, err);
    }
  }
}

export const MOODS = [
  ['happy', '😊'], ['excited', '🤩'], ['content', '😌'], ['calm', '🧘'], ['neutral', '😐'],
  ['bored', '🥱'], ['sad', '😢'], ['anxious', '😰'], ['angry', '😠'], ['frustrated', '😤'],
];
export const MOOD_EMOJI = Object.fromEntries(MOODS);
/** The hub's default valence/arousal of each mood (the picker starts there). */
export const MOOD_AFFECT = {
  happy: [0.8, 0.6], excited: [0.9, 0.9], content: [0.7, 0.3], calm: [0.6, 0.2], neutral: [0.5, 0.5],
  bored: [0.3, 0.2], sad: [0.2, 0.3], anxious: [0.3, 0.8], angry: [0.2, 0.9], frustrated: [0.3, 0.7],
};
export const HUG_TYPES = [
  ['warm', '🤗', 'Warm'], ['bear', '🐻', 'Bear'], ['side', '🫂', 'Side'],
  ['group', '👨‍👩‍👧', 'Group'], ['healing', '💚', 'Healing'], ['celebration', '🎉', 'Celebration'],
];
export const HUG_EMOJI = Object.fromEntries(HUG_TYPES.map(([t, e]) => [t, e]));

// --- the unread badge ---------------------------------------------------------

let unread = 0;

export function unreadCount() {
  return unread;
}

export function setUnread(count) {
  unread = Math.max(0, Number(count) || 0);
  const badge = document.getElementById('unread-badge');
  badge.textContent = unread > 99 ? '99+' : String(unread);
  badge.hidden = unread === 0;
  badge.setAttribute('aria-label', `${unread} unread`);
  emit('unread', unread);
}

let counting = null;
/** Asks the hub for the unread count (one small request; overlapping asks share it). */
export function refreshUnread() {
  counting = counting || api(`notifications${query({ unread_only: true, per_page: 1 })}`)
    .then((inbox) => setUnread(inbox.unreadCount))
    .catch(() => {})
    .finally(() => { counting = null; });
  return counting;
}

// --- names of users ------------------------------------------------------------

const users = new Map();

export function remember(user) {
  if (user && user.id) users.set(user.id, user);
  return user;
}

/** A user's profile (cached); a placeholder when it cannot be read. */
export async function userById(id) {
  if (users.has(id)) return users.get(id);
  try {
    return remember(await api(`users/${encodeURIComponent(id)}`));
  } catch {
    return { id, username: 'someone', displayName: 'Someone' };
  }
}

export function nameOf(user) {
  return (user && (user.displayName || user.username)) || 'Someone';
}
