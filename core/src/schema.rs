//! The request contract as JSON Schema draft-04 (what an API Gateway model accepts),
//! generated from [`crate::contract::REQUEST_FIELDS`], the table the parser uses.

use serde_json::{json, Map, Value};

use crate::contract::REQUEST_FIELDS;

/// Draft-04 schema of a valid request body. Size and nesting limits are not expressible
/// in draft-04; the queue (256 KiB) and the handler enforce those.
pub fn request_schema() -> Value {
    let mut properties = Map::new();
    for f in REQUEST_FIELDS {
        let mut p = json!({ "type": f.kind.json_name(), "description": f.description });
        if let Some(min) = f.min_chars {
            p["minLength"] = json!(min);
        }
        properties.insert(f.name.to_owned(), p);
    }
    let required: Vec<&str> = REQUEST_FIELDS
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "SendMessageRequest",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_field_and_forbids_others() {
        let s = request_schema();
        assert_eq!(s["$schema"], "http://json-schema.org/draft-04/schema#");
        assert_eq!(s["required"], json!(["Insert"]));
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["properties"]["Insert"]["type"], "string");
        assert_eq!(s["properties"]["Insert"]["minLength"], 1);
        assert_eq!(s["properties"]["data"]["type"], "object");
    }
}
