// Hugs and mood check-ins made while the hub cannot be reached wait here, in
// IndexedDB (they survive a reload), each with the `Idempotency-Key` it was first
// sent with. When the connection is back they are sent again with that key, so a
// write the hub did receive before the connection broke is answered with its first
// result and never made twice. A write the hub refuses is dropped and reported.

import { api, ApiError, newKey } from './api.js';
import { emit } from './state.js';

const DB = 'hugmood';
const STORE = 'outbox';
/** What each kind of write posts to. */
const PATHS = { hug: 'hugs', mood: 'moods' };

let dbPromise = null;

function db() {
  dbPromise = dbPromise || new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE, { keyPath: 'key' }).createIndex('byUser', 'userId');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return dbPromise;
}

async function tx(mode, work) {
  const database = await db();
  return new Promise((resolve, reject) => {
    const t = database.transaction(STORE, mode);
    const result = work(t.objectStore(STORE));
    t.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
    t.onerror = () => reject(t.error);
  });
}

/** The writes still waiting for `userId`, oldest first. */
export async function pending(userId) {
  const all = await tx('readonly', (s) => s.index('byUser').getAll(userId));
  return (all || []).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

function remove(key) {
  return tx('readwrite', (s) => s.delete(key));
}

/**
 * Sends a write now: `{status: 'sent', result}`, or `{status: 'queued', entry}` when
 * the hub could not be reached (the write waits in the outbox). A refusal throws the
 * `ApiError`, for the form to show.
 */
export async function send(userId, kind, body) {
  const entry = { key: newKey(), userId, kind, body, createdAt: new Date().toISOString() };
  if (navigator.onLine === false) {
    await tx('readwrite', (s) => s.put(entry));
    emit('outbox', { type: 'queued', entry });
    return { status: 'queued', entry };
  }
  try {
    return { status: 'sent', result: await post(entry) };
  } catch (err) {
    if (err instanceof ApiError && err.final) throw err;
    await tx('readwrite', (s) => s.put(entry));
    emit('outbox', { type: 'queued', entry });
    return { status: 'queued', entry };
  }
}

function post(entry) {
  return api(PATHS[entry.kind], {
    method: 'POST',
    body: entry.body,
    headers: { 'Idempotency-Key': entry.key },
  });
}

let replaying = null;

/**
 * Sends every waiting write of `userId`, oldest first, each with its own key. Stops
 * at the first that cannot get through (it is tried again later). Calls made while
 * one runs share it.
 */
export function replay(userId) {
  replaying = replaying || (async () => {
    try {
      for (const entry of await pending(userId)) {
        try {
          const result = await post(entry);
          await remove(entry.key);
          emit('outbox', { type: 'sent', entry, result });
        } catch (err) {
          if (!(err instanceof ApiError && err.final)) break;
          await remove(entry.key);
          emit('outbox', { type: 'refused', entry, error: err });
        }
      }
    } finally {
      replaying = null;
    }
  })();
  return replaying;
}
