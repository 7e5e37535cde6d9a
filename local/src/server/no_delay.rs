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
    use super::*;

    #[tokio::test]
    async fn an_accepted_connection_leaves_with_nagle_off() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
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
