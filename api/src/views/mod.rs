//! Response bodies: how engine types are shown to clients (camelCase JSON).

pub mod auth;
pub mod friend_request;
pub mod page;
pub mod privacy;
pub mod user;

pub use auth::AuthView;
pub use friend_request::FriendRequestView;
pub use page::PageView;
pub use privacy::PrivacyView;
pub use user::UserView;
