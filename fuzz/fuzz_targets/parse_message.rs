//! Fuzz target: the core parser and the whole per-message decision on arbitrary bytes.
//! Invariants beyond "does not panic": every body gets exactly one answer, a rejection
//! always names at least one problem, and an accepted body round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use private_ingest_core::{parse_message, parse_message_str, plan, Envelope, NotificationContent, RandomValue};

fuzz_target!(|data: &[u8]| {
    match parse_message(data) {
        Ok(message) => {
            let again = parse_message_str(&message.to_json()).expect("an accepted message round-trips");
            assert_eq!(again, message);
        }
        Err(errors) => assert!(!errors.messages().is_empty(), "a rejection names its problems"),
    }
    let random = RandomValue::new(50).expect("in range");
    for content in [NotificationContent::IdsOnly, NotificationContent::WithCallerData] {
        plan(data, &Envelope::new("fuzz"), random, 0, content).expect("every body gets an action");
    }
});
