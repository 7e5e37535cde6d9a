//! Inputs the fuzzer (fuzz/fuzz_targets/parse_message.rs) once crashed on, kept as
//! regression tests with the same invariants: one answer per body, rejections name their
//! problems, accepted bodies round-trip exactly.

use std::path::Path;

use private_ingest_core::{
    parse_message, parse_message_str, plan, Envelope, NotificationContent, RandomValue,
};

#[test]
fn every_input_that_once_crashed_the_fuzzer_now_holds_the_invariants() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions/parse_message");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("regressions folder") {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        match parse_message(&data) {
            Ok(message) => {
                let again = parse_message_str(&message.to_json());
                assert_eq!(again.as_ref().ok(), Some(&message), "{}", path.display());
            }
            Err(errors) => assert!(!errors.messages().is_empty(), "{}", path.display()),
        }
        let random = RandomValue::new(50).unwrap();
        for content in [
            NotificationContent::IdsOnly,
            NotificationContent::WithCallerData,
        ] {
            assert!(
                plan(&data, &Envelope::new("fuzz"), random, 0, content).is_ok(),
                "{}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 1, "no regression inputs in {}", dir.display());
}
