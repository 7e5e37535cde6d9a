//! The routing rules' caps, each with its reason. A rules document is read once (at the
//! Lambda's init, at the local stack's start, by the Pulumi program and the page) and
//! evaluated for every message, so the caps bound both its size and the work one message
//! costs: at most [`MAX_RULES`] rules of at most [`MAX_CONDITIONS_PER_RULE`] conditions,
//! each a walk of one JSON pointer and one comparison (see `make bench`, `rules_*`).

/// Largest rules document, in bytes of its compact JSON. The cloud hands the rules to the
/// Lambda in its environment ([`ROUTING_RULES`](super::function_environment::ROUTING_RULES)),
/// and Lambda allows 4 KB for all of a function's variables together: the other five
/// (two table names and the metrics namespace of at most 255 characters each, a topic ARN,
/// a flag) take at most about 1 KB, which leaves 3 KiB for the rules.
pub const MAX_RULES_DOCUMENT_BYTES: usize = 3 * 1024;

/// Most rules in one document. Every rule is evaluated for every message; 32 is more
/// than the three use cases of the original pattern need together, and what 3 KiB of
/// compact JSON holds anyway.
pub const MAX_RULES: usize = 32;

/// Deepest nesting of `all` / `any` / `not` in a rule's `when` (a comparison alone is
/// depth 1). Evaluation recurses once per level; 8 is deeper than a condition a person
/// can still read.
pub const MAX_CONDITION_DEPTH: usize = 8;

/// Most conditions (comparisons and combinations) in one rule's `when`: with
/// [`MAX_RULES`], at most 2,048 comparisons per message.
pub const MAX_CONDITIONS_PER_RULE: usize = 64;

/// Most values in one `in` list (each is compared with the body's value in turn).
pub const MAX_IN_VALUES: usize = 64;

/// Longest rule name. A name appears in every notification the rule sends, in logs and
/// on the page; it is an identifier, not a description.
pub const MAX_RULE_NAME_CHARS: usize = 64;

/// Longest rule description (the notification's text and the page show it).
pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// Longest JSON pointer in a rule. A body nests at most
/// [`MAX_DEPTH`](super::MAX_DEPTH) levels, so longer pointers only name keys of hundreds
/// of characters.
pub const MAX_POINTER_CHARS: usize = 256;

/// Longest `subject` template, placeholders included. What it renders is cut to SNS's
/// 100 characters ([`MAX_SUBJECT_CHARS`](super::MAX_SUBJECT_CHARS)); its literal text
/// alone must fit in those 100.
pub const MAX_SUBJECT_TEMPLATE_CHARS: usize = 200;

/// What a subject placeholder renders when the body has no value there.
pub const ABSENT_VALUE_TEXT: &str = "(none)";

/// What a subject placeholder renders when the deployment's notifications carry ids,
/// the route and reasons only (`notificationIncludesData` false): the value is the
/// caller's content, which leaves the private network by email.
pub const WITHHELD_VALUE_TEXT: &str = "(withheld)";

/// Largest rules text read, as written (indented, with descriptions), before it is made
/// compact and held to [`MAX_RULES_DOCUMENT_BYTES`]: bounds the reading of a hostile file.
pub const MAX_RULES_TEXT_BYTES: usize = 64 * 1024;

/// Deepest JSON nesting of a rules document: the document, `rules`, a rule, then two
/// levels per [`MAX_CONDITION_DEPTH`] (an `all` and its list) and a comparison's value.
pub const MAX_RULES_JSON_DEPTH: usize = 4 + 2 * MAX_CONDITION_DEPTH + 2;
