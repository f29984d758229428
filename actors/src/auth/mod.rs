//! Accounts and credentials: password hashing, access tokens (JWT), refresh-token
//! rotation, the account operations built on them, and the registry of ended sessions.

pub mod accounts;
pub mod jwt;
pub mod known_accounts;
pub mod password;
pub mod refresh;
pub mod revocations;
pub mod stream;

pub use accounts::{Accounts, AuthSettings, Session};
pub use jwt::{AccessClaims, JwtKeys};
pub use revocations::{Revocation, Revocations, SessionWatch};
pub use stream::{StreamAccess, StreamPass};
