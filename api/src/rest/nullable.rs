//! Bodies where a field may be absent (keep it) or null (clear it).

use serde::{Deserialize, Deserializer};

/// For `#[serde(default, deserialize_with = "nullable")]` on `Option<Option<T>>`:
/// absent is `None`, null is `Some(None)`, a value is `Some(Some(v))`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
