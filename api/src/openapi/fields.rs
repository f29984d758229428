//! Schemas of the fields whose rules no Rust type states, for `schema_with` on request
//! bodies and parameters: the characters and lengths a text may have (as the engine's
//! validation counts them), number ranges, enums, nullable fields, query dates, pages.
//! Patterns are ECMA-262 regexes whose `\s` means what `str::trim` trims (Unicode
//! White_Space, as JSON Schema validators built on Rust's regex read it).

use hugmood_actors::domain::idempotency::KEY_MAX;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{KnownFormat, Required};
use utoipa::Number;

/// Control characters that `validation::max_chars` refuses (line breaks and tabs pass).
pub const CONTROL: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F";
/// Every control character, for texts that refuse line breaks and tabs too.
pub const ANY_CONTROL: &str = r"\x00-\x1F\x7F-\x9F";

/// Whether `null` is a value of the field (it clears it, or means "not sent").
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Null {
    Allowed,
    Refused,
}

fn types(kind: Type, null: Null) -> SchemaType {
    match null {
        Null::Allowed => SchemaType::from_iter([kind, Type::Null]),
        Null::Refused => SchemaType::new(kind),
    }
}

fn typed(kind: Type, null: Null) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(types(kind, null))
}

/// A string of any characters, `min` to `max` long.
pub fn string(null: Null, min: usize, max: Option<usize>) -> ObjectBuilder {
    typed(Type::String, null)
        .min_length((min > 0).then_some(min))
        .max_length(max)
}

/// At most `max` characters, none of them a control character but line breaks and
/// tabs (`validation::max_chars`).
pub fn plain_text(null: Null, max: usize) -> ObjectBuilder {
    string(null, 0, Some(max)).pattern(Some(format!("^[^{CONTROL}]*$")))
}

/// `plain_text` that is not blank (`validation::display_name`).
pub fn non_blank_text(null: Null, max: usize) -> ObjectBuilder {
    plain_text(null, max).pattern(Some(format!(r"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$")))
}

/// A text the engine trims before its checks: what remains is 1 to `max` characters
/// with none of `refused` (a character-class body; empty refuses nothing). Whitespace
/// around it is free, so the pattern bounds the length, not `maxLength`.
pub fn trimmed_text(null: Null, max: usize, refused: &str) -> ObjectBuilder {
    let (edge, inner) = if refused.is_empty() {
        (r"\S".to_owned(), r"[\s\S]".to_owned())
    } else {
        (format!(r"[^\s{refused}]"), format!("[^{refused}]"))
    };
    let middle = max.saturating_sub(2);
    typed(Type::String, null).pattern(Some(format!(
        r"^\s*{edge}(?:{inner}{{0,{middle}}}{edge})?\s*$"
    )))
}

/// One of `values`, spelled as the engine answers them (it reads some enums, such as
/// moods and hug types, without regard to case or surrounding whitespace).
pub fn one_of(null: Null, values: &[&str]) -> ObjectBuilder {
    let mut listed: Vec<serde_json::Value> = values.iter().map(|v| (*v).into()).collect();
    if null == Null::Allowed {
        listed.push(serde_json::Value::Null);
    }
    typed(Type::String, null).enum_values(Some(listed))
}

/// A whole number from `min` to `max` (exact integers: no float rounding of the bounds).
pub fn integer(null: Null, min: impl Into<Number>, max: impl Into<Number>) -> ObjectBuilder {
    typed(Type::Integer, null)
        .minimum(Some(min))
        .maximum(Some(max))
}

/// A number from 0 to 1.
pub fn unit_interval(null: Null) -> ObjectBuilder {
    typed(Type::Number, null)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
        .minimum(Some(0.0))
        .maximum(Some(1.0))
}

/// A UUID.
pub fn uuid(null: Null) -> ObjectBuilder {
    typed(Type::String, null).format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
}

/// A UUID a body must carry.
pub fn required_uuid() -> Schema {
    uuid(Null::Refused).into()
}

/// An array of up to `max` items.
pub fn array_of(null: Null, item: ObjectBuilder, max: usize) -> ArrayBuilder {
    ArrayBuilder::new()
        .schema_type(types(Type::Array, null))
        .items(item)
        .max_items(Some(max))
}

/// A query parameter with the given schema.
pub fn query_param(name: &str, required: Required, schema: Schema) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(required)
        .schema(Some(schema))
        .build()
}

/// `page`: from 1 (the engine keeps page numbers in 32 bits).
pub fn page() -> Schema {
    integer(Null::Refused, 1, i64::from(u32::MAX))
        .description(Some("Page number, from 1 (default 1)"))
        .into()
}

/// `per_page`: from 1; a value above the route's cap (named in the operation's
/// description) is lowered to it, and the answer's `perPage` says the size used.
pub fn per_page() -> Schema {
    integer(Null::Refused, 1, i64::MAX)
        .description(Some(
            "Items per page, from 1 (default 20); a value above the list's cap (see the \
             operation) is lowered to it",
        ))
        .into()
}

/// A query bound (`parse_bound`): a `YYYY-MM-DD` date of the years 0001–9999, or an
/// RFC 3339 time (a time outside those years is moved to the nearest one).
pub fn date_or_time(what: &str) -> Schema {
    let date = typed(Type::String, Null::Refused)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some("^(?!0000)"));
    let time = typed(Type::String, Null::Refused)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)));
    AnyOfBuilder::new()
        .item(date)
        .item(time)
        .description(Some(format!(
            "{what}: a date (YYYY-MM-DD, years 0001–9999) or an RFC 3339 time"
        )))
        .into()
}

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub fn idempotency_key() -> Schema {
    string(Null::Refused, 1, Some(KEY_MAX))
        .pattern(Some("^[!-~]+$"))
        .into()
}
