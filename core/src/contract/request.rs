//! The request body's fields, defined once. The parser ([`crate::message`]) and the JSON
//! Schema export ([`crate::schema`]) both read this table, so they cannot drift apart.

/// The JSON type a field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    String,
    Object,
}

impl FieldKind {
    /// The JSON Schema / JSON name of the type, as used in error messages.
    pub const fn json_name(self) -> &'static str {
        match self {
            FieldKind::String => "string",
            FieldKind::Object => "object",
        }
    }
}

/// One top-level field of the request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// Minimum length in Unicode code points (strings only; JSON Schema `minLength`).
    pub min_chars: Option<usize>,
    pub description: &'static str,
}

/// Name of the routing field, spelled as in the original pattern.
pub const INSERT: &str = "Insert";
/// Name of the optional payload field.
pub const DATA: &str = "data";

/// The `Insert` value that routes a message to the store (exactly, case-sensitive), as in
/// the original pattern; any other value routes it to a notification.
pub const STORE_INSERT_VALUE: &str = "DynamoDB";

/// Every top-level field the request body may have; anything else is rejected.
pub const REQUEST_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: INSERT,
        kind: FieldKind::String,
        required: true,
        min_chars: Some(1),
        description: "\"DynamoDB\" stores a record; any other value sends a notification.",
    },
    FieldSpec {
        name: DATA,
        kind: FieldKind::Object,
        required: false,
        min_chars: None,
        description: "The caller's payload, kept on the record or the notification.",
    },
];

/// The field names, in contract order, for messages such as "allowed fields are ...".
pub fn field_names() -> impl Iterator<Item = &'static str> {
    REQUEST_FIELDS.iter().map(|f| f.name)
}
