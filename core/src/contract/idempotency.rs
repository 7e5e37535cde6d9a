//! The `Idempotency-Key` header: its name, its shape, how long a key deduplicates, and
//! the name of the table that keeps it in the cloud.
//!
//! The core checks a key ([`crate::idempotency::parse_idempotency_key`]) for the page,
//! the local gateway and the Lambda alike. In the cloud the API cannot check a header's
//! shape, so the key travels unchecked as the message attribute
//! [`IDEMPOTENCY_KEY_ATTRIBUTE`](super::IDEMPOTENCY_KEY_ATTRIBUTE) and the Lambda rejects
//! a malformed one.

/// The request header a client sets to make its retries safe.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// Longest key accepted, in characters (all ASCII). Long enough for a UUID (36), a ULID
/// (26) or a client's own `order-<id>:<attempt>` scheme; short enough that the key, as a
/// DynamoDB partition key (limit 2048 bytes) and as an SQS message attribute, never
/// crowds the body out of the 256 KiB message.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;

/// The characters a key may hold besides ASCII letters and digits. Safe unescaped in a
/// URL path (`GET /messages/{key}`), a header, a JSON string and a log line.
pub const IDEMPOTENCY_KEY_PUNCTUATION: &[char] = &['-', '_', '.', ':'];

/// The allowed characters, as error messages and the page spell them.
pub const IDEMPOTENCY_KEY_ALPHABET: &str = "A-Z a-z 0-9 - _ . :";

/// How long a key deduplicates notifications after the first one was published: 24
/// hours, the window clients retry in (Stripe's keys, and the Powertools idempotency
/// default of one hour, are shorter). A record deduplicates for as long as it exists.
/// Kept by the dedupe marker's `expires_at`, which DynamoDB's TTL (and the local
/// stack's sweep) removes once it has passed.
pub const NOTIFICATION_DEDUPE_SECONDS: u64 = 24 * 60 * 60;

/// The cloud's dedupe table is the record table's name with this suffix (`tableName` +
/// `-idempotency`: one marker per `Idempotency-Key` on the notify route, with TTL). The
/// stack settings check that the two fit DynamoDB's 255 characters.
pub const IDEMPOTENCY_TABLE_SUFFIX: &str = "-idempotency";

/// The dedupe marker's expiry, epoch **seconds** (the unit DynamoDB's TTL reads): the
/// cloud's dedupe table has TTL enabled on this attribute, and the handler writes it.
pub const DEDUPE_EXPIRES_AT_ATTRIBUTE: &str = "expires_at";
