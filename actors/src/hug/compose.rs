//! The rules of one hug between what was read and what is written: whether the
//! recipient accepts it, and the rows it becomes (hug, notification, event, claim).
//! No I/O here, so the rules are tested without a database.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::hug_json;
use crate::domain::event::{EventKind, NewEvent};
use crate::domain::hug::{Hug, HugRequest, HugStatus};
use crate::domain::idempotency::{IdempotencyClaim, IdempotencyKey};
use crate::domain::row_id::new_row_id;
use crate::domain::social::NewNotification;
use crate::domain::user::AllowHugsFrom;
use crate::error::{EngineError, EngineResult};
use crate::store::{HugParties, HugWrite};

/// Scope of hug keys in the idempotency table.
pub(super) const IDEMPOTENCY_SCOPE: &str = "hugs";

/// The sender's name when the hug may be sent: the sender's account must still exist
/// (a token outliving its account is a 401), the recipient must exist (404), and no
/// block either way nor the recipient's `allowHugsFrom` may forbid it (403).
pub(super) fn check(parties: HugParties) -> EngineResult<String> {
    let sender_name = parties.sender_name.ok_or_else(|| {
        EngineError::unauthorized(
            "invalid_token",
            "the account of this token no longer exists",
        )
    })?;
    let allows = parties
        .recipient_allows
        .ok_or(EngineError::NotFound("user"))?;
    let relation = parties.relation;
    let allowed = !relation.a_blocks_b
        && !relation.b_blocks_a
        && match allows {
            AllowHugsFrom::Everyone => true,
            AllowHugsFrom::Friends => relation.friends,
            AllowHugsFrom::Nobody => false,
        };
    if allowed {
        Ok(sender_name)
    } else {
        Err(EngineError::forbidden(
            "hugs_not_allowed",
            "this user does not accept hugs from you",
        ))
    }
}

/// What a checked request is written as, sent at `at`.
pub(super) struct Composed {
    pub hug: Hug,
    pub write: HugWrite,
}

pub(super) fn compose(
    sender: Uuid,
    sender_name: &str,
    request: HugRequest,
    key: Option<IdempotencyKey>,
    request_hash: String,
    at: DateTime<Utc>,
) -> EngineResult<Composed> {
    let hug = Hug {
        id: new_row_id(),
        sender_id: sender,
        recipient_id: request.recipient_id,
        hug_type: request.hug_type,
        message: request.message,
        sent_at: at,
        status: HugStatus::Sent,
    };
    let data = hug_json(&hug)?;
    let notification = NewNotification {
        id: new_row_id(),
        user_id: hug.recipient_id,
        kind: "hug_received",
        title: "You received a hug".into(),
        body: format!("{sender_name} sent you a {} hug", hug.hug_type.as_str()),
        data: serde_json::json!({ "hugId": hug.id, "senderId": sender, "hugType": hug.hug_type }),
        created_at: at,
    };
    let claim = key.map(|key| IdempotencyClaim {
        user_id: sender,
        scope: IDEMPOTENCY_SCOPE,
        key: key.as_str().to_owned(),
        request_hash,
        response: data.to_string(),
        created_at: at,
    });
    let event = NewEvent {
        user_id: hug.recipient_id,
        kind: EventKind::HugReceived,
        data,
        created_at: at,
    };
    Ok(Composed {
        write: HugWrite {
            hug: hug.clone(),
            notification,
            event,
            claim,
        },
        hug,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Relation;

    fn parties(allows: AllowHugsFrom, relation: Relation) -> HugParties {
        HugParties {
            sender_name: Some("Ann".into()),
            recipient_allows: Some(allows),
            relation,
        }
    }

    fn code(result: EngineResult<String>) -> &'static str {
        match result {
            Ok(_) => "ok",
            Err(EngineError::Forbidden { code, .. })
            | Err(EngineError::Unauthorized { code, .. }) => code,
            Err(EngineError::NotFound(_)) => "not_found",
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn privacy_and_blocks_decide() {
        let none = Relation::default();
        let friends = Relation {
            friends: true,
            ..none
        };
        assert_eq!(code(check(parties(AllowHugsFrom::Everyone, none))), "ok");
        assert_eq!(
            code(check(parties(AllowHugsFrom::Friends, none))),
            "hugs_not_allowed"
        );
        assert_eq!(code(check(parties(AllowHugsFrom::Friends, friends))), "ok");
        assert_eq!(
            code(check(parties(AllowHugsFrom::Nobody, friends))),
            "hugs_not_allowed"
        );
        for blocked in [
            Relation {
                a_blocks_b: true,
                ..friends
            },
            Relation {
                b_blocks_a: true,
                ..friends
            },
        ] {
            assert_eq!(
                code(check(parties(AllowHugsFrom::Everyone, blocked))),
                "hugs_not_allowed"
            );
        }
    }

    #[test]
    fn a_missing_sender_or_recipient_is_told_apart() {
        let gone = HugParties {
            sender_name: None,
            ..parties(AllowHugsFrom::Everyone, Relation::default())
        };
        assert_eq!(code(check(gone)), "invalid_token");
        let no_recipient = HugParties {
            recipient_allows: None,
            ..parties(AllowHugsFrom::Everyone, Relation::default())
        };
        assert_eq!(code(check(no_recipient)), "not_found");
    }

    #[test]
    fn the_rows_of_a_hug_agree() {
        let (sender, recipient) = (Uuid::new_v4(), Uuid::new_v4());
        let request =
            HugRequest::parse(sender, Some(recipient), Some("bear"), None).expect("valid");
        let key = IdempotencyKey::parse("k1").expect("key");
        let at = crate::domain::time::now();
        let Composed { hug, write } =
            compose(sender, "Ann", request, Some(key), "hash".into(), at).expect("compose");
        assert_eq!(write.hug, hug);
        assert_eq!(write.event.user_id, recipient);
        assert_eq!(write.notification.user_id, recipient);
        assert_eq!(write.notification.body, "Ann sent you a bear hug");
        let claim = write.claim.expect("claim");
        assert_eq!(claim.user_id, sender);
        assert_eq!(claim.response, write.event.data.to_string());
    }
}
