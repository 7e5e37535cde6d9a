//! `TCP_NODELAY` on every accepted connection, before HTTP starts on it (the accept loop
//! taps its listener with [`disable_nagle`]).
//!
//! Why: hyper writes a response's head and its body in separate writes when the
//! body is streamed (every static file of the page, served by `ServeDir`). With Nagle's
//! algorithm on, the body waits until the head is acknowledged, and the client delays
//! that ACK (up to 40 ms on Linux) hoping to piggyback it on data: every static file took
//! ~34 ms on one keep-alive connection. With it off, each write goes out at once. The
//! answers are small and whole, so nothing is gained by coalescing them.

use tokio::net::TcpStream;

/// For `axum::serve::ListenerExt::tap_io`: runs on each accepted socket.
pub fn disable_nagle(stream: &mut TcpStream) {
    if let Err(error) = stream.set_nodelay(true) {
        // The connection still works, only slower on streamed bodies.
        tracing::debug!(%error, "could not set TCP_NODELAY on an accepted connection");
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::routing::get;
    use axum::Router;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    use super::*;
    use crate::server::{serve, ServerSettings};

    /// A listener that keeps a second handle on every socket it accepts: socket options
    /// belong to the socket, so the handle shows what the accept loop set on it.
    struct Watched {
        inner: TcpListener,
        accepted: Arc<Mutex<Vec<std::net::TcpStream>>>,
    }

    impl axum::serve::Listener for Watched {
        type Io = TcpStream;
        type Addr = SocketAddr;

        async fn accept(&mut self) -> (TcpStream, SocketAddr) {
            let (stream, peer) = self.inner.accept().await.unwrap();
            let stream = stream.into_std().unwrap();
            self.accepted
                .lock()
                .unwrap()
                .push(stream.try_clone().unwrap());
            (TcpStream::from_std(stream).unwrap(), peer)
        }

        fn local_addr(&self) -> std::io::Result<SocketAddr> {
            self.inner.local_addr()
        }
    }

    #[tokio::test]
    async fn the_accept_loop_turns_nagle_off_on_every_connection_it_serves() {
        // GIVEN the accept loop on a listener whose sockets start with Nagle on
        let inner = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = inner.local_addr().unwrap();
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let listener = Watched {
            inner,
            accepted: Arc::clone(&accepted),
        };
        let app = Router::new().route("/", get(|| async { "ok" }));
        let settings = ServerSettings {
            max_connections: 4,
            header_timeout: Duration::from_secs(5),
            keep_alive_timeout: None,
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app, settings, async {
            let _ = stopped.await;
        }));

        // WHEN a client is answered on one connection
        let mut client = TcpStream::connect(address).await.unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.unwrap();

        // THEN that connection had TCP_NODELAY set by the loop
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let nodelay: Vec<bool> = accepted
            .lock()
            .unwrap()
            .iter()
            .map(|socket| socket.nodelay().unwrap())
            .collect();
        assert_eq!(nodelay, [true]);
        stop.send(()).unwrap();
        server.await.unwrap();
    }

    #[tokio::test]
    async fn an_accepted_connection_leaves_with_nagle_off() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let ((mut accepted, _), _client) =
            tokio::join!(async { listener.accept().await.unwrap() }, async {
                client.await.unwrap()
            });
        assert!(!accepted.nodelay().unwrap(), "Linux's default is Nagle on");

        disable_nagle(&mut accepted);

        assert!(accepted.nodelay().unwrap());
    }
}
