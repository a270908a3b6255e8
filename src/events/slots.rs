//! Caps on concurrent streaming connections, per process: clients without a token
//! (`public`, `public:local` and `hashtag` streams over SSE or WebSocket) per IP
//! address (IPv6: per /64, as the rate limits count) and in total, and signed-in
//! clients per account. A connection holds a [`Slot`] for its lifetime; dropping it
//! (the client went away) frees the slot at once.
//!
//! Why: every stream is an open socket, a task and a filter run per event. Anonymous
//! streams cost nothing to open, so one address could otherwise hold thousands.
//! Mastodon's streaming server has no such cap; over a cap Roost answers
//! `429 {"error": …}` like its other limits.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::config::Config;

/// The caps, from `ROOST_STREAMING_MAX_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamLimits {
    /// Anonymous streams from one address (IPv6: one /64).
    pub anonymous_per_ip: u32,
    /// Anonymous streams from all addresses.
    pub anonymous: u32,
    /// Streams of one signed-in account.
    pub per_account: u32,
}

impl StreamLimits {
    /// The caps configured for this process.
    pub fn from_config(config: &Config) -> StreamLimits {
        StreamLimits {
            anonymous_per_ip: config.streaming_max_anonymous_per_ip,
            anonymous: config.streaming_max_anonymous,
            per_account: config.streaming_max_per_account,
        }
    }
}

impl Default for StreamLimits {
    /// The documented defaults.
    fn default() -> Self {
        StreamLimits {
            anonymous_per_ip: 8,
            anonymous: 256,
            per_account: 32,
        }
    }
}

/// Who holds a streaming connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    /// A client without a token, from this address.
    Anonymous(IpAddr),
    /// A signed-in account.
    Account(i64),
}

#[derive(Debug, Default)]
struct Counts {
    anonymous: u32,
    held: HashMap<Holder, u32>,
}

/// The open streaming connections of this process, counted against [`StreamLimits`].
#[derive(Debug)]
pub struct StreamSlots {
    limits: StreamLimits,
    counts: Mutex<Counts>,
}

/// The cap that refused a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("too many anonymous streaming connections from this address")]
    PerAddress,
    #[error("too many anonymous streaming connections")]
    Anonymous,
    #[error("too many streaming connections of this account")]
    PerAccount,
}

/// One open streaming connection; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<StreamSlots>,
    holder: Holder,
}

impl StreamSlots {
    /// No connection open yet.
    pub fn new(limits: StreamLimits) -> Arc<StreamSlots> {
        Arc::new(StreamSlots {
            limits,
            counts: Mutex::default(),
        })
    }

    /// Takes a slot for `holder` (IPv6 addresses counted per /64), or says which cap
    /// is reached.
    pub fn acquire(self: &Arc<Self>, holder: Holder) -> Result<Slot, Refused> {
        let holder = match holder {
            Holder::Anonymous(ip) => Holder::Anonymous(crate::rate_limit::network_of(ip)),
            account => account,
        };
        let mut counts = self.lock();
        let held = counts.held.get(&holder).copied().unwrap_or(0);
        match holder {
            Holder::Anonymous(_) if held >= self.limits.anonymous_per_ip => {
                return Err(Refused::PerAddress)
            }
            Holder::Anonymous(_) if counts.anonymous >= self.limits.anonymous => {
                return Err(Refused::Anonymous)
            }
            Holder::Account(_) if held >= self.limits.per_account => {
                return Err(Refused::PerAccount)
            }
            Holder::Anonymous(_) => counts.anonymous += 1,
            Holder::Account(_) => {}
        }
        counts.held.insert(holder, held + 1);
        Ok(Slot {
            slots: Arc::clone(self),
            holder,
        })
    }

    /// The connections open now: (held by accounts, anonymous).
    pub fn open(&self) -> (u32, u32) {
        let counts = self.lock();
        let total: u32 = counts.held.values().sum();
        (total.saturating_sub(counts.anonymous), counts.anonymous)
    }

    fn release(&self, holder: Holder) {
        let mut counts = self.lock();
        if let Holder::Anonymous(_) = holder {
            counts.anonymous = counts.anonymous.saturating_sub(1);
        }
        match counts.held.get_mut(&holder) {
            Some(held) if *held > 1 => *held -= 1,
            _ => {
                counts.held.remove(&holder);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // The counts stay consistent even if a holder panicked mid-update: every
        // update is a single assignment.
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.release(self.holder);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(anonymous_per_ip: u32, anonymous: u32, per_account: u32) -> Arc<StreamSlots> {
        StreamSlots::new(StreamLimits {
            anonymous_per_ip,
            anonymous,
            per_account,
        })
    }

    fn ip(text: &str) -> Holder {
        Holder::Anonymous(text.parse().expect("an address"))
    }

    #[test]
    fn an_address_gets_its_cap_and_a_dropped_slot_is_free_again() {
        let slots = slots(2, 100, 100);
        let first = slots.acquire(ip("192.0.2.1")).expect("first");
        let _second = slots.acquire(ip("192.0.2.1")).expect("second");
        assert_eq!(
            slots.acquire(ip("192.0.2.1")).expect_err("over the cap"),
            Refused::PerAddress
        );
        assert!(slots.acquire(ip("192.0.2.2")).is_ok(), "another address");
        drop(first);
        assert!(slots.acquire(ip("192.0.2.1")).is_ok());
    }

    #[test]
    fn ipv6_addresses_of_one_slash_64_share_a_cap() {
        let slots = slots(1, 100, 100);
        let _held = slots.acquire(ip("2001:db8::1")).expect("first");
        assert_eq!(
            slots.acquire(ip("2001:db8::2")).expect_err("over the cap"),
            Refused::PerAddress
        );
        assert!(slots.acquire(ip("2001:db8:0:1::1")).is_ok());
    }

    #[test]
    fn anonymous_streams_are_capped_in_total_and_accounts_apart() {
        let slots = slots(5, 2, 1);
        let _a = slots.acquire(ip("192.0.2.1")).expect("a");
        let _b = slots.acquire(ip("192.0.2.2")).expect("b");
        assert_eq!(
            slots.acquire(ip("192.0.2.3")).expect_err("over the cap"),
            Refused::Anonymous
        );
        let _alice = slots.acquire(Holder::Account(1)).expect("accounts apart");
        assert_eq!(
            slots.acquire(Holder::Account(1)).expect_err("over the cap"),
            Refused::PerAccount
        );
        assert!(slots.acquire(Holder::Account(2)).is_ok());
    }
}
