// Calls to the hub's REST API. URLs are relative to the page, so the app works from
// whichever node (or proxy path) served it. Failures become an `ApiError` carrying
// the API's error JSON (`code`, `message`, per-field `details`) or a `NetworkError`.

import { NetworkError, session } from './session.js';

export { NetworkError };

const BASE = 'api/v1/';

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const error = (body && body.error) || {};
    super(error.message || `the hub answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code || 'unknown';
    this.details = error.details || null;
    this.retryAfter = retryAfter ? Number(retryAfter) : null;
  }

  /** A refusal that sending the same request again will not change. */
  get final() {
    return this.status >= 400 && this.status < 500 && ![401, 408, 429].includes(this.status);
  }
}

async function body(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * `api('hugs', {method: 'POST', body, headers})`: the answer's JSON (null for 204).
 * A refused access token is refreshed once and the call repeated.
 */
export async function api(path, { method = 'GET', body: payload, headers = {}, auth = true } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    const init = { method, headers: { Accept: 'application/json', ...headers } };
    if (payload !== undefined) {
      init.body = JSON.stringify(payload);
      init.headers['Content-Type'] = 'application/json';
    }
    const token = auth ? session.accessToken() : null;
    if (token) init.headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(BASE + path, init);
    } catch {
      throw new NetworkError();
    }
    if (response.status === 401 && token && attempt === 0 && (await session.refresh(token))) {
      continue;
    }
    const data = response.status === 204 ? null : await body(response);
    if (!response.ok) throw new ApiError(response.status, data, response.headers.get('Retry-After'));
    return data;
  }
}

/** A query string from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A fresh UUID (v4) for an `Idempotency-Key`; also where `crypto.randomUUID` is missing. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
