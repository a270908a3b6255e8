//! The durable outbound queue: workers that claim rows of `deliveries`, sign each
//! request at send time with the actor's key, POST it, and record the outcome.
//!
//! What is stored and when is in `db::deliveries`; the retry schedule and the domain
//! circuit breaker are in `policy`; the sending loop is in `worker`; parsed signing
//! keys are cached in `keys`; which signature scheme each domain gets first
//! (double-knocking) is in `schemes`.

pub mod collection_sync;
pub mod keys;
pub mod policy;
pub mod schemes;
pub mod worker;
