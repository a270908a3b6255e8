//! Password hashing with argon2id (the crate's default parameters: 19 MiB, 2 passes,
//! one lane), on a bounded pool.
//!
//! Each hash or verification needs 19 MiB of work memory and tens of milliseconds of
//! CPU. Run without a bound, a burst of sign-ups and logins allocated 19 MiB per request
//! at once, and the allocator kept it (48 requests, 16 at a time, took the server from
//! 16 MB to 1.7 GB). So a [`PasswordPool`] runs at most `workers` of them at a time
//! (default: one per CPU core), each in a work area allocated once and reused (argon2's
//! `hash_password_into_with_memory`), so the memory of password hashing is bounded by
//! `workers × 19 MiB` whatever the load. Other requests wait in a queue of bounded
//! length for a bounded time; past either bound they fail with [`Busy`] (the API
//! answers 503 with `Retry-After`).
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), the format the
//! argon2 crate writes; hashes with other argon2 parameters still verify.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Config;
use crate::error::ApiError;

/// Stored hashes asking for more work memory than this (in 1 KiB blocks, 256 MiB)
/// count as a mismatch rather than being allocated.
const MAX_VERIFY_BLOCKS: u32 = 256 * 1024;

/// The bounds of a [`PasswordPool`].
#[derive(Clone, Copy, Debug)]
pub struct PoolSettings {
    /// Hashes computed at the same time (each holds 19 MiB).
    pub workers: usize,
    /// Longest wait for a free worker.
    pub queue_timeout: Duration,
    /// Most requests waiting for a worker; more are refused at once.
    pub max_waiting: usize,
}

impl PoolSettings {
    /// `ROOST_PASSWORD_HASH_CONCURRENCY` (default: the number of CPU cores),
    /// `ROOST_PASSWORD_HASH_QUEUE_TIMEOUT_MS` and `ROOST_PASSWORD_HASH_QUEUE_LENGTH`.
    pub fn from_config(config: &Config) -> PoolSettings {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        PoolSettings {
            workers: config
                .password_hash_concurrency
                .map_or(cores, |n| n as usize),
            queue_timeout: Duration::from_millis(config.password_hash_queue_timeout_ms),
            max_waiting: config.password_hash_queue_length as usize,
        }
    }
}

/// No worker became free in time, or too many requests were already waiting.
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error("too many password checks at once; try again later")]
pub struct Busy {
    /// When the client may try again.
    pub retry_after: Duration,
}

/// A saturated pool answers `503` with `Retry-After` (the error type is the API's, so
/// this conversion lives beside `Busy`, keeping `error.rs` free of `auth`).
impl From<Busy> for ApiError {
    fn from(busy: Busy) -> Self {
        ApiError::Overloaded {
            retry_after: busy.retry_after,
        }
    }
}

/// Why a hash or verification did not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The pool is saturated (see [`Busy`]): the client should retry later.
    #[error(transparent)]
    Busy(#[from] Busy),
    /// Not the client's fault (a worker panicked, the hasher failed).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<HashError> for ApiError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy(busy) => busy.into(),
            HashError::Internal(error) => ApiError::Internal(error),
        }
    }
}

/// The bounded pool every password hash and verification of a process runs on.
/// Cheap to clone (one shared pool).
#[derive(Clone, Debug)]
pub struct PasswordPool {
    inner: Arc<Inner>,
}

struct Inner {
    settings: PoolSettings,
    /// One permit per worker.
    permits: Arc<Semaphore>,
    /// Requests waiting for a permit now.
    waiting: AtomicUsize,
    /// Work areas not in use; at most `workers` are ever allocated.
    idle_memory: Mutex<Vec<Vec<Block>>>,
    /// The hash "no such user" is checked against (see [`PasswordPool::verify_dummy`]).
    dummy_hash: tokio::sync::OnceCell<String>,
}

impl PasswordPool {
    /// A pool with the given bounds (at least one worker).
    pub fn new(settings: PoolSettings) -> PasswordPool {
        let settings = PoolSettings {
            workers: settings.workers.max(1),
            ..settings
        };
        PasswordPool {
            inner: Arc::new(Inner {
                permits: Arc::new(Semaphore::new(settings.workers)),
                settings,
                waiting: AtomicUsize::new(0),
                idle_memory: Mutex::new(Vec::new()),
                dummy_hash: tokio::sync::OnceCell::new(),
            }),
        }
    }

    /// The pool the configuration describes.
    pub fn from_config(config: &Config) -> PasswordPool {
        PasswordPool::new(PoolSettings::from_config(config))
    }

    /// Hashes a password into a PHC string (`$argon2id$…`) with a fresh salt.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.run(move |memory| hash_with(memory, password.as_bytes()))
            .await?
    }

    /// Checks a password against a stored hash. A malformed stored hash counts as a
    /// mismatch (and is logged), never as success.
    pub async fn verify(&self, password: &str, stored_hash: &str) -> Result<bool, HashError> {
        let password = password.to_owned();
        let stored_hash = stored_hash.to_owned();
        self.run(move |memory| {
            verify_with(memory, password.as_bytes(), &stored_hash).unwrap_or_else(|error| {
                tracing::warn!(%error, "stored password hash is unusable");
                false
            })
        })
        .await
    }

    /// Burns about as much time as a real verification, so that "no such user" and
    /// "wrong password" cannot be told apart by timing. Waits in the same queue.
    pub async fn verify_dummy(&self, password: &str) -> Result<(), HashError> {
        let hash = self
            .inner
            .dummy_hash
            .get_or_try_init(|| self.hash("roost dummy password"))
            .await?;
        self.verify(password, hash).await.map(|_| ())
    }

    /// Runs `job` on the blocking pool with a work area, once a worker is free. The
    /// permit and the work area travel with the job, so a request cancelled while its
    /// hash runs neither frees its worker early nor loses the work area.
    async fn run<T, F>(&self, job: F) -> Result<T, HashError>
    where
        F: FnOnce(&mut [Block]) -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self.admit().await?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut memory = inner.take_memory();
            let result = job(&mut memory);
            inner.put_memory(memory);
            drop(permit);
            result
        })
        .await
        .map_err(|error| HashError::Internal(anyhow::anyhow!("password hashing stopped: {error}")))
    }

    /// A worker's permit: at once when one is free, otherwise after waiting in the
    /// queue (bounded in length and time).
    async fn admit(&self) -> Result<OwnedSemaphorePermit, Busy> {
        let permits = self.inner.permits.clone();
        if let Ok(permit) = permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let settings = self.inner.settings;
        let busy = Busy {
            retry_after: settings.queue_timeout.max(Duration::from_secs(1)),
        };
        let _place = QueuePlace::take(&self.inner.waiting, settings.max_waiting).ok_or(busy)?;
        match tokio::time::timeout(settings.queue_timeout, permits.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; a timeout is the only way here.
            Ok(Err(_)) | Err(_) => Err(busy),
        }
    }
}

impl std::fmt::Debug for Inner {
    // Not the work areas: 19 MiB each.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordPool")
            .field("settings", &self.settings)
            .field("waiting", &self.waiting)
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn take_memory(&self) -> Vec<Block> {
        let reused = self
            .idle_memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        reused.unwrap_or_else(|| vec![Block::new(); Params::DEFAULT_M_COST as usize])
    }

    fn put_memory(&self, memory: Vec<Block>) {
        let mut idle = self
            .idle_memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < self.settings.workers {
            idle.push(memory);
        }
    }
}

/// A place in the queue, given back when dropped.
struct QueuePlace<'a>(&'a AtomicUsize);

impl<'a> QueuePlace<'a> {
    /// A place, unless `max` requests already wait.
    fn take(waiting: &'a AtomicUsize, max: usize) -> Option<QueuePlace<'a>> {
        waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| QueuePlace(waiting))
    }
}

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Hashes with the default parameters in `memory` (at least the default 19 MiB).
fn hash_with(memory: &mut [Block], password: &[u8]) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let failed = |error: &dyn std::fmt::Display| anyhow::anyhow!("hashing password: {error}");
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| failed(&e))?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2
            .hash_password_into_with_memory(password, salt_bytes, out, &mut *memory)
            .map_err(Into::into)
    })
    .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Recomputes the stored hash's argon2 function for `password` in `memory` (or, for
/// a hash made with more memory than that, in a temporary area) and compares in
/// constant time.
fn verify_with(
    memory: &mut [Block],
    password: &[u8],
    stored_hash: &str,
) -> Result<bool, argon2::password_hash::Error> {
    use argon2::password_hash::Error;
    let parsed = PasswordHash::new(stored_hash)?;
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(Error::PhcStringField);
    };
    if params.m_cost() > MAX_VERIFY_BLOCKS {
        return Err(Error::ParamValueInvalid(
            argon2::password_hash::errors::InvalidValue::TooLong,
        ));
    }
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let block_count = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut larger = Vec::new();
    let area: &mut [Block] = if block_count <= memory.len() {
        memory
    } else {
        larger.resize(block_count, Block::new());
        &mut larger
    };
    let computed = Output::init_with(expected.len(), |out| {
        argon2
            .hash_password_into_with_memory(password, salt_bytes, out, &mut *area)
            .map_err(Into::into)
    })?;
    // `Output`'s equality is constant-time.
    Ok(computed == expected)
}

#[cfg(test)]
mod tests;
