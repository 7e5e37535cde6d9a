//! Both port errors ([`crate::store::StoreError`], [`crate::notify::NotifyError`]) have
//! the same shape: a message, and the cause when there is one. Every such error is
//! retryable: the handler reports the message as failed and the queue redelivers it.

macro_rules! port_error {
    ($(#[$doc:meta])* $error:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, thiserror::Error)]
        #[error("{}: {message}", $prefix)]
        pub struct $error {
            pub message: String,
            #[source]
            pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
        }

        impl $error {
            pub fn new(message: impl Into<String>) -> Self {
                Self {
                    message: message.into(),
                    source: None,
                }
            }

            pub fn with_source(
                message: impl Into<String>,
                source: impl std::error::Error + Send + Sync + 'static,
            ) -> Self {
                Self {
                    message: message.into(),
                    source: Some(Box::new(source)),
                }
            }
        }
    };
}

pub(crate) use port_error;
