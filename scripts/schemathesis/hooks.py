"""Schemathesis hooks for scripts/schemathesis.sh: what a run against one live hub
needs so that every documented operation can be exercised as written.

- Credentials come from auth providers, not from a `-H Authorization` header: a
  header given on the command line goes with every request of every phase, while a
  provider is asked per operation. The run's user (HUGMOOD_ST_TOKEN) signs every
  bearer operation but two.
- Logout and account deletion end the session of the token they are called with;
  with the run's token every later request would be 401. Each such call gets a fresh
  token of its own, taken from a pool of seeded users (HUGMOOD_ST_TOKEN_POOL: one
  `<user id> <access token>` per line, as `hugmood seed --tokens-out` writes them),
  so they are tested like every other operation and the run's session lives on.
- Blocking, befriending or hugging oneself is refused with 400, a rule no schema can
  state (the run's own id is a valid UUID): a case that names the run's user there is
  pointed at another user (the pool's first, whose token is never handed out).
- `end_date` before `start_date` is refused with 400, which no schema states either:
  a case with both bounds in the wrong order is sent with them swapped.
- A write repeated with the same `Idempotency-Key` answers the first write's result
  (by design), even once that resource was deleted; generated keys are short and
  repeat, so a valid key is made unique per call (its generated text kept in front),
  and a stateful "created resource not found" cannot come from an old replay.
- A long-poll with nothing to answer waits `timeout` seconds (30 by default) by
  design; waits are cut to one second so the run stays bounded. Everything else
  about the request is sent as generated.
"""

import datetime
import itertools
import os
import re
import threading

import schemathesis


def _load_pool():
    """The first seeded user's id (the run's "someone else", never signed in as) and
    the tokens of all the others, to be handed out one per call."""
    with open(os.environ["HUGMOOD_ST_TOKEN_POOL"], encoding="ascii") as pool:
        pairs = [line.split() for line in pool if line.strip()]
    return pairs[0][0], [token for _, token in reversed(pairs[1:])]


OTHER_USER_ID, _TOKENS = _load_pool()
_TOKENS_LOCK = threading.Lock()


def _fresh_token():
    """The next unused seeded token; a run that needs more than the pool fails loudly."""
    with _TOKENS_LOCK:
        if not _TOKENS:
            raise RuntimeError("the seeded token pool is used up; seed more users")
        return _TOKENS.pop()


SESSION_ENDING = ["auth_logout", "users_delete_me"]


def _bearer(case, token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


@schemathesis.auth().skip_for(operation_id=SESSION_ENDING)
class RunUser:
    """The user the run registered."""

    def get(self, case, context):
        return os.environ["HUGMOOD_ST_TOKEN"]

    def set(self, case, data, context):
        _bearer(case, data)


@schemathesis.auth(refresh_interval=None).apply_to(operation_id=SESSION_ENDING)
class SessionEndingCall:
    """A token of its own for each call that ends the session it is made with."""

    def get(self, case, context):
        return _fresh_token()

    def set(self, case, data, context):
        _bearer(case, data)


# Where naming oneself is refused: (method, path) -> where the user id is.
NOT_ONESELF = {
    ("POST", "/api/v1/blocks/{userId}"): ("path", "userId"),
    ("DELETE", "/api/v1/blocks/{userId}"): ("path", "userId"),
    ("POST", "/api/v1/friends/requests"): ("body", "userId"),
    ("POST", "/api/v1/hugs"): ("body", "recipientId"),
}


def _not_oneself(case):
    where = NOT_ONESELF.get((case.method.upper(), case.operation.path))
    if where is None:
        return
    container = case.path_parameters if where[0] == "path" else case.body
    if isinstance(container, dict) and container.get(where[1]) == os.environ["HUGMOOD_ST_USER_ID"]:
        container[where[1]] = OTHER_USER_ID


LONG_POLL_WAIT_SECS = 1


def _bounded_long_poll(case):
    if case.operation.path != "/api/v1/events" or not case.query:
        return
    if str(case.query.get("long_poll")).lower() != "true":
        return
    timeout = case.query.get("timeout")
    try:
        too_long = timeout is None or int(timeout) > LONG_POLL_WAIT_SECS
    except (TypeError, ValueError):
        return  # not a number: the hub refuses it at once
    if too_long:
        case.query["timeout"] = LONG_POLL_WAIT_SECS


def _instant(text, end_of_day):
    """A query bound as the hub reads it (`parse_bound`), or None if Python cannot."""
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            at = datetime.datetime.combine(day, datetime.time.max if end_of_day else datetime.time.min)
            return at.replace(tzinfo=datetime.timezone.utc)
        return datetime.datetime.fromisoformat(text.replace("z", "Z"))
    except (TypeError, ValueError, OverflowError):
        return None


def _ordered_range(case):
    if case.operation.path != "/api/v1/moods" or case.method.upper() != "GET" or not case.query:
        return
    start, end = case.query.get("start_date"), case.query.get("end_date")
    if not isinstance(start, str) or not isinstance(end, str):
        return
    first, last = _instant(start, False), _instant(end, True)
    # A difference, not a comparison: it never builds a time outside Python's calendar.
    if first is not None and last is not None and first - last > datetime.timedelta(0):
        case.query["start_date"], case.query["end_date"] = end, start


VALID_KEY = re.compile(r"[!-~]{1,255}")
_KEY_COUNTER = itertools.count()


def _unique_idempotency_key(case):
    for name in list(case.headers or {}):
        if name.lower() != "idempotency-key":
            continue
        key = case.headers[name]
        if isinstance(key, str) and VALID_KEY.fullmatch(key):
            case.headers[name] = f"{key[:200]}.{os.getpid()}.{next(_KEY_COUNTER)}"


@schemathesis.hook
def before_call(context, case, kwargs):
    _unique_idempotency_key(case)
    _not_oneself(case)
    _ordered_range(case)
    _bounded_long_poll(case)
