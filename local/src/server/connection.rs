//! One served connection: hyper's HTTP/1.1 with its header-read timeout, and a
//! keep-alive timeout kept here, because hyper has none: the connection counts its
//! requests in flight (a request stays in flight until its response body is sent), and
//! once it has answered at least one and none is in flight for the keep-alive timeout,
//! it is shut down gracefully (hyper closes an idle connection at once).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::Router;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{watch, OwnedSemaphorePermit};
use tower::ServiceExt;

use super::ServerSettings;

/// A connection that holds one of the server's slots.
#[derive(Debug)]
pub struct Connection {
    pub app: Router,
    pub settings: ServerSettings,
    /// Turns true when the server stops.
    pub stop: watch::Receiver<bool>,
    /// Held while the connection is open, so the server can wait for it.
    pub open: watch::Receiver<()>,
    /// Held while the connection is open.
    pub slot: OwnedSemaphorePermit,
}

/// Requests seen on one connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Activity {
    started: u64,
    in_flight: usize,
}

impl Connection {
    pub async fn serve<I>(self, io: I)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            app,
            settings,
            mut stop,
            open,
            slot,
        } = self;
        let (activity_tx, mut activity) = watch::channel(Activity::default());
        let service = Tracked {
            app,
            activity: Arc::new(activity_tx),
        };
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(settings.header_timeout)
            .keep_alive(settings.keep_alive_timeout.is_some());
        let conn = builder.serve_connection(TokioIo::new(io), service);
        tokio::pin!(conn);
        let mut closing = false;
        let mut watching = true;
        loop {
            let now = *activity.borrow_and_update();
            let idle_limit = settings
                .keep_alive_timeout
                .filter(|_| !closing && now.started > 0 && now.in_flight == 0);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(error) = result {
                        // Timeouts, resets and malformed requests: the client's doing.
                        tracing::debug!(%error, "connection ended with an error");
                    }
                    break;
                }
                changed = activity.changed(), if watching => watching = changed.is_ok(),
                () = sleep_for(idle_limit) => {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
                _ = stop.wait_for(|stop| *stop), if !closing => {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
        drop((open, slot));
    }
}

async fn sleep_for(limit: Option<Duration>) {
    match limit {
        Some(limit) => tokio::time::sleep(limit).await,
        None => std::future::pending().await,
    }
}

/// The router as hyper's service, counting requests in flight.
#[derive(Clone)]
struct Tracked {
    app: Router,
    activity: Arc<watch::Sender<Activity>>,
}

impl hyper::service::Service<Request<Incoming>> for Tracked {
    type Response = Response<TrackedBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let in_flight = InFlight::begin(Arc::clone(&self.activity));
        let app = self.app.clone();
        Box::pin(async move {
            let response = app.oneshot(request.map(Body::new)).await?;
            Ok(response.map(|body| TrackedBody {
                body,
                _in_flight: in_flight,
            }))
        })
    }
}

/// One request in flight; it ends when this is dropped (with the response body, or with
/// the handler's future when the client goes away first).
struct InFlight(Arc<watch::Sender<Activity>>);

impl InFlight {
    fn begin(activity: Arc<watch::Sender<Activity>>) -> Self {
        activity.send_modify(|a| {
            a.started += 1;
            a.in_flight += 1;
        });
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|a| a.in_flight -= 1);
    }
}

/// A response body that ends its request's time in flight when it is dropped.
struct TrackedBody {
    body: Body,
    _in_flight: InFlight,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
