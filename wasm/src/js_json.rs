//! Values that cross to and from JavaScript as JSON text, parsed by the other side.
//!
//! The core keeps every number's decimal text (serde_json's `arbitrary_precision`, which
//! Cargo turns on in this build too). serde-wasm-bindgen would hand such a number over as
//! serde_json's internal one-key map (`"minLength": {"$serde_json::private::Number": "1"}`
//! in the request schema), and would turn a JavaScript number into text through Rust's
//! float formatting; JSON text sidesteps both: JavaScript's `JSON.parse` reads each number
//! as the nearest double (what a JavaScript caller holds anyway), and `JSON.stringify`
//! writes the caller's numbers as the text the core then reads. It also keeps
//! serde-wasm-bindgen out of the module (smaller).

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// `value` as a plain JavaScript value (objects, arrays, numbers as doubles).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("the value is not JSON"))
}

/// A JavaScript value as JSON; `Null` for one JSON cannot hold (a BigInt, a cycle), and
/// keys whose value is `undefined` or a function are left out, as `JSON.stringify` does.
/// Read by the core's parser (one JSON parser in the module, not two).
pub fn from_js(value: &JsValue) -> Value {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .and_then(|text| private_ingest_core::strict_json::parse_strict(&text).ok())
        .unwrap_or(Value::Null)
}
