//! The local stack's HTTP API as a test uses it: a client bounded in time, answers as a
//! status and JSON, and waits for what the stack does after answering.

use std::time::{Duration, Instant};

use serde_json::Value;

/// Bound on every HTTP request a test makes.
const REQUEST_LIMIT: Duration = Duration::from_secs(15);

/// The stack's HTTP API. Statuses come back as numbers, bodies as JSON (`Value::Null`
/// when a body is not JSON).
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base_url: String,
}

/// A status and a JSON body.
pub type Answer = (u16, Value);

impl Api {
    pub fn new(base_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_LIMIT)
            .build()
            .expect("HTTP client");
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `POST /send-message` with any body and content type (`None`: no Content-Type).
    pub async fn try_send(
        &self,
        body: impl Into<reqwest::Body>,
        content_type: Option<&str>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self.http.post(self.url("/send-message")).body(body);
        if let Some(t) = content_type {
            request = request.header("content-type", t);
        }
        answer(request.send().await?).await
    }

    /// `POST /send-message` of a JSON body; panics if the stack does not answer.
    pub async fn send(&self, body: impl Into<reqwest::Body>) -> Answer {
        self.try_send(body, Some("application/json"))
            .await
            .expect("POST /send-message")
    }

    /// Sends a body the contract accepts and returns the queue's message id.
    pub async fn send_ok(&self, body: &str) -> String {
        let (status, json) = self.send(body.to_owned()).await;
        assert_eq!(status, 200, "{body} was refused: {json}");
        json["messageId"].as_str().expect("messageId").to_owned()
    }

    /// `POST /send-message` of a JSON body with an `Idempotency-Key` header.
    pub async fn send_keyed(&self, body: &str, key: &str) -> Answer {
        let request = self
            .http
            .post(self.url("/send-message"))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(body.to_owned());
        answer(request.send().await.expect("POST /send-message"))
            .await
            .expect("read the answer")
    }

    pub async fn get(&self, path: &str) -> Answer {
        let response = self
            .http
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        answer(response).await.expect("read the answer")
    }

    /// Asks `probe` every 50 ms until it returns `Some`, for at most `limit`.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, limit: Duration, mut probe: F) -> T
    where
        F: FnMut(Api) -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let started = Instant::now();
        loop {
            if let Some(found) = probe(self.clone()).await {
                return found;
            }
            assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The record of `message_id`, once it is there.
    pub async fn wait_for_record(&self, message_id: &str, limit: Duration) -> Value {
        let path = format!("/messages/{message_id}");
        self.wait_for(&format!("record {message_id}"), limit, |api| {
            let path = path.clone();
            async move {
                let (status, json) = api.get(&path).await;
                (status == 200).then_some(json)
            }
        })
        .await
    }

    /// Every entry of a paginated list (`/notifications`, `/dead-letters`): the pages
    /// from `path`, following `next` until it is null. `key` names the entries.
    pub async fn list_all(&self, path: &str, key: &str) -> Vec<Value> {
        let mut entries = Vec::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut next: Option<String> = None;
        loop {
            let url = match &next {
                Some(cursor) => format!("{path}{separator}cursor={cursor}"),
                None => path.to_owned(),
            };
            let (status, page) = self.get(&url).await;
            assert_eq!(status, 200, "GET {url}: {page}");
            entries.extend(page[key].as_array().expect("a list page").iter().cloned());
            match page["next"].as_str() {
                Some(cursor) => next = Some(cursor.to_owned()),
                None => return entries,
            }
        }
    }

    /// The notification of `message_id`, once it is there.
    pub async fn wait_for_notification(&self, message_id: &str, limit: Duration) -> Value {
        let id = message_id.to_owned();
        self.wait_for(&format!("notification {message_id}"), limit, |api| {
            let id = id.clone();
            async move {
                let listed = api
                    .list_all("/notifications?limit=1000", "notifications")
                    .await;
                listed.into_iter().find(|n| n["message_id"] == id.as_str())
            }
        })
        .await
    }

    /// Every dead letter, once there are `count` of them.
    pub async fn wait_for_dead_letters(&self, count: usize, limit: Duration) -> Vec<Value> {
        self.wait_for(&format!("{count} dead letters"), limit, |api| async move {
            let all = api.list_all("/dead-letters", "dead_letters").await;
            (all.len() == count).then_some(all)
        })
        .await
    }

    /// `/healthz` once the queue holds no message (visible or in flight).
    pub async fn wait_until_drained(&self, limit: Duration) -> Value {
        self.wait_for("queue drained", limit, |api| async move {
            let (status, json) = api.get("/healthz").await;
            let queue = &json["queue"];
            (status == 200 && queue["visible"] == 0 && queue["in_flight"] == 0).then_some(json)
        })
        .await
    }
}

async fn answer(response: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let status = response.status().as_u16();
    let bytes = response.bytes().await?;
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}
