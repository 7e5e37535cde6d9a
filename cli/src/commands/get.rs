//! `private-ingest get ID`: the record, or "not found" (exit 3).

use serde_json::json;

use crate::api::Api;
use crate::failure::{Exit, Failure};
use crate::report::Report;

pub async fn run(api: &Api, id: &str) -> Result<Report, Failure> {
    if id.is_empty() {
        return Err(Failure::invalid("the id is empty"));
    }
    let answer = api.record(id).await?;
    match answer.status {
        200 if answer.json.is_object() => Ok(Report::done(
            "get",
            serde_json::to_string_pretty(&answer.json).unwrap_or_default(),
            json!({ "id": id, "found": true, "record": answer.json }),
        )),
        404 => Err(
            Failure::new(Exit::NotFound, format!("no record with id {id:?}"))
                .with_details(json!({ "id": id, "found": false, "answer": answer.json })),
        ),
        _ => Err(Failure::failed(format!(
            "GET /messages/{{id}} on {} answered {}",
            api.endpoint(),
            answer.summary()
        ))
        .with_details(json!({ "id": id, "status": answer.status, "answer": answer.json }))),
    }
}
