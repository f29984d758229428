//! What travels over Redis: the channel of each user, the control channel, the
//! message that carries one event (with the node it came from, so that node skips its
//! own echo), and the control message that ends a session. The event's `data` is
//! embedded as raw JSON, not re-escaped.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::auth::revocations::Revocation;
use crate::domain::event::{Event, EventKind};
use crate::redis_link::PREFIX;

/// Published on the control channel when a node may have lost hints it should have
/// sent: every node then re-reads the store for all its live users.
pub const RESYNC: &str = "resync";

/// The channel every node subscribes to.
pub fn control_channel() -> String {
    format!("{PREFIX}ctl")
}

/// The channel of one user's events.
pub fn user_channel(user: Uuid) -> String {
    format!("{PREFIX}u:{user}")
}

/// The control message ending a session (`f`) or, without `f`, an account (`u`).
#[derive(Serialize, Deserialize)]
struct SessionEnd {
    u: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<Uuid>,
}

/// The control message announcing `revocation`.
pub fn encode_revocation(revocation: Revocation) -> String {
    let message =
        serde_json::json!({ "end": SessionEnd { u: revocation.user, f: revocation.family } });
    message.to_string()
}

/// The revocation a control message announces, if it is one.
pub fn decode_revocation(payload: &[u8]) -> Option<Revocation> {
    #[derive(Deserialize)]
    struct Control {
        end: SessionEnd,
    }
    let control: Control = serde_json::from_slice(payload).ok()?;
    Some(Revocation {
        user: control.end.u,
        family: control.end.f,
    })
}

#[derive(Serialize)]
struct OutMessage<'a> {
    n: Uuid,
    u: Uuid,
    i: i64,
    t: &'static str,
    d: &'a RawValue,
    c: DateTime<Utc>,
}

#[derive(Deserialize)]
struct InMessage<'a> {
    n: Uuid,
    u: Uuid,
    i: i64,
    t: &'a str,
    #[serde(borrow)]
    d: &'a RawValue,
    c: DateTime<Utc>,
}

/// The message announcing `event`, sent by `node`.
pub fn encode(node: Uuid, event: &Event) -> Option<String> {
    let data = serde_json::from_str::<&RawValue>(&event.data).ok()?;
    serde_json::to_string(&OutMessage {
        n: node,
        u: event.user_id,
        i: event.id,
        t: event.kind.as_str(),
        d: data,
        c: event.created_at,
    })
    .ok()
}

/// The sending node and the event of a message; `None` if it is not one of ours.
pub fn decode(payload: &[u8]) -> Option<(Uuid, Event)> {
    let message: InMessage<'_> = serde_json::from_slice(payload).ok()?;
    let kind: EventKind = message.t.parse().ok()?;
    Some((
        message.n,
        Event {
            user_id: message.u,
            id: message.i,
            kind,
            data: message.d.get().to_owned(),
            created_at: message.c,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_survives_the_trip() {
        let event = Event {
            user_id: Uuid::new_v4(),
            id: 42,
            kind: EventKind::MoodUpdate,
            data: r#"{"note":"a \"quoted\" ü","tags":["x"]}"#.into(),
            created_at: "2026-01-02T03:04:05.000006Z".parse().expect("time"),
        };
        let node = Uuid::new_v4();
        let text = encode(node, &event).expect("encodes");
        assert!(
            text.contains(r#""d":{"note""#),
            "data stays raw JSON: {text}"
        );
        let (from, back) = decode(text.as_bytes()).expect("decodes");
        assert_eq!(from, node);
        assert_eq!(back, event);
    }

    #[test]
    fn a_session_end_survives_the_trip() {
        for family in [Some(Uuid::new_v4()), None] {
            let revocation = Revocation {
                user: Uuid::new_v4(),
                family,
            };
            let text = encode_revocation(revocation);
            assert_eq!(decode_revocation(text.as_bytes()), Some(revocation));
        }
        assert_eq!(decode_revocation(RESYNC.as_bytes()), None);
    }

    #[test]
    fn foreign_payloads_are_ignored() {
        assert!(decode(b"hello").is_none());
        assert!(decode(br#"{"n":"x"}"#).is_none());
    }
}
