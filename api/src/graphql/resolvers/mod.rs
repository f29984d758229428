//! The root types, merged from one query and one mutation object per resource (like
//! REST's one router per resource): a new resource adds its objects to these lists.

mod events;
mod hugs;
mod moods;
mod notifications;
mod social;
mod users;

use async_graphql::MergedObject;

pub use events::SubscriptionRoot;

/// Reads. Every field needs a signed-in caller; a field that fails is null, with its
/// error.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    users::UserQuery,
    moods::MoodQuery,
    social::SocialQuery,
    hugs::HugQuery,
    notifications::NotificationQuery,
);

/// Changes. Only `register` and `login` work without a token; a field that fails is
/// null (`deleteMoodEntry`: false), with its error.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    users::AuthMutation,
    moods::MoodMutation,
    social::SocialMutation,
    hugs::HugMutation,
    notifications::NotificationMutation,
);
