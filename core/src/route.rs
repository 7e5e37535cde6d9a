//! Where a valid message goes: the store or a notification.

use serde::{Deserialize, Serialize};

use crate::contract::STORE_INSERT_VALUE;
use crate::message::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    /// Conditional put of a record keyed by the queue message id.
    Store,
    /// Publish a notification.
    Notify,
}

impl Route {
    pub const fn as_str(self) -> &'static str {
        match self {
            Route::Store => "store",
            Route::Notify => "notify",
        }
    }
}

/// `Insert == "DynamoDB"` (exactly, case-sensitive) stores; anything else notifies.
pub fn route(message: &Message) -> Route {
    if message.insert == STORE_INSERT_VALUE {
        Route::Store
    } else {
        Route::Notify
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(insert: &str) -> Message {
        Message {
            insert: insert.into(),
            data: None,
        }
    }

    #[test]
    fn only_the_exact_value_stores() {
        assert_eq!(route(&msg("DynamoDB")), Route::Store);
        for other in ["dynamodb", "Dynamoooo", " DynamoDB", "DynamoDB "] {
            assert_eq!(route(&msg(other)), Route::Notify, "{other:?}");
        }
    }
}
