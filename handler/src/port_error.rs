//! Both port errors ([`crate::store::StoreError`], [`crate::notify::NotifyError`]) are
//! built the same way: a message, and the cause when there is one.

macro_rules! constructors {
    ($error:ident) => {
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

pub(crate) use constructors;
