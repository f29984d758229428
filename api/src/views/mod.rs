//! Response bodies: how engine types are shown to clients (camelCase JSON).

pub mod analytics;
pub mod auth;
pub mod friend_request;
pub mod mood;
pub mod page;
pub mod privacy;
pub mod user;

pub use analytics::AnalyticsView;
pub use auth::AuthView;
pub use friend_request::FriendRequestView;
pub use mood::{MoodEntryView, StreakView};
pub use page::PageView;
pub use privacy::PrivacyView;
pub use user::UserView;
