// The live stream: one EventSource on `sse/stream`. It opens with a one-time ticket
// (EventSource cannot send an Authorization header); the same ticket call sets the
// HttpOnly `hugmood_stream` cookie, which carries the browser's own reconnections,
// and those resend `Last-Event-ID`, so the hub replays what was missed — across a
// hub restart too. Only when the browser gives up (an error answer, such as an
// ended session) does this module open a new stream, with a new ticket and the
// last id it saw as `last_event_id`.

import { api } from './api.js';
import { emit } from './state.js';

const TYPES = [
  'notification', 'hug_received', 'hug_seen', 'mood_update',
  'friend_request', 'friend_accepted', 'notification_read',
];
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;

let source = null;
let lastId = null;
let retryMs = RETRY_MIN_MS;
let timer = null;
let running = false;

function setStatus(state) {
  const el = document.getElementById('live-status');
  el.hidden = false;
  el.dataset.state = state;
  el.textContent = { live: 'Live', connecting: 'Reconnecting…', off: 'Offline' }[state];
  emit('live', state);
}

function track(event) {
  const id = Number(event.lastEventId);
  if (event.lastEventId !== '' && Number.isFinite(id)) lastId = id;
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(open, retryMs);
  retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
}

async function open() {
  if (!running) return;
  let ticket;
  try {
    ({ ticket } = await api('sse/ticket', { method: 'POST' }));
  } catch {
    setStatus('off');
    if (running) later();
    return;
  }
  if (!running) return;
  const params = new URLSearchParams({ ticket });
  if (lastId !== null) params.set('last_event_id', String(lastId));
  const es = new EventSource(`api/v1/sse/stream?${params}`);
  source = es;
  es.addEventListener('open', () => {
    retryMs = RETRY_MIN_MS;
    setStatus('live');
    emit('live-open');
  });
  es.addEventListener('error', () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // The browser stopped retrying (an error answer): start over with a new ticket.
      source = null;
      setStatus('off');
      later();
    } else {
      setStatus('connecting');
    }
  });
  for (const type of TYPES) {
    es.addEventListener(type, (event) => {
      track(event);
      let parsed;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return;
      }
      emit(type, parsed.data);
      emit('event', parsed);
    });
  }
  es.addEventListener('reset', (event) => {
    // The log no longer holds what we asked for: screens reload their state.
    const data = JSON.parse(event.data);
    lastId = data.lastId;
    emit('reset', data);
  });
}

/** Opens the stream for the signed-in user. */
export function startLive() {
  if (running) return;
  running = true;
  retryMs = RETRY_MIN_MS;
  setStatus('connecting');
  open();
}

/** Closes the stream (logout). */
export function stopLive() {
  running = false;
  clearTimeout(timer);
  if (source) source.close();
  source = null;
  lastId = null;
  const el = document.getElementById('live-status');
  el.hidden = true;
}
