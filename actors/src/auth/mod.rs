//! Accounts and credentials: password hashing, access tokens (JWT), refresh-token
//! rotation, and the account operations built on them.

pub mod accounts;
pub mod jwt;
pub mod password;
pub mod refresh;
pub mod stream;

pub use accounts::{Accounts, AuthSettings, Session};
pub use jwt::{AccessClaims, JwtKeys};
pub use stream::{StreamAccess, StreamPass};
