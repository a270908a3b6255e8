use std::sync::mpsc;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::*;

fn pool(workers: usize, queue_timeout: Duration, max_waiting: usize) -> PasswordPool {
    PasswordPool::new(PoolSettings {
        workers,
        queue_timeout,
        max_waiting,
    })
}

/// Occupies one worker of `pool` until the returned sender is dropped or used.
async fn occupy(pool: &PasswordPool) -> (mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    let (release, wait) = mpsc::channel::<()>();
    let (started, running) = tokio::sync::oneshot::channel();
    let pool = pool.clone();
    let job = tokio::spawn(async move {
        pool.run(move |_| {
            let _ = started.send(());
            let _ = wait.recv();
        })
        .await
        .expect("runs");
    });
    running.await.expect("the job started");
    (release, job)
}

#[tokio::test]
async fn a_hash_verifies_its_password_and_nothing_else() {
    let pool = pool(1, Duration::from_secs(10), 8);
    let hash = pool.hash("correct horse").await.expect("hashes");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(pool.verify("correct horse", &hash).await.expect("runs"));
    assert!(!pool.verify("correct horsf", &hash).await.expect("runs"));
    assert!(!pool
        .verify("correct horse", "not a hash")
        .await
        .expect("runs"));
    pool.verify_dummy("anything").await.expect("runs");
}

#[tokio::test]
async fn hashes_are_interchangeable_with_the_argon2_crates_own() {
    let pool = pool(1, Duration::from_secs(10), 8);
    let ours = pool.hash("correct horse").await.expect("hashes");
    let parsed = PasswordHash::new(&ours).expect("parses");
    assert!(Argon2::default()
        .verify_password(b"correct horse", &parsed)
        .is_ok());
    // An older hash with other parameters (more memory than a work area) verifies too.
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::new(32 * 1024, 1, 1, None).expect("valid params");
    let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(b"battery staple", &salt)
        .expect("hashes")
        .to_string();
    assert!(pool.verify("battery staple", &theirs).await.expect("runs"));
    assert!(!pool.verify("battery stapler", &theirs).await.expect("runs"));
}

#[tokio::test]
async fn a_request_that_waits_past_the_queue_timeout_is_told_to_come_back() {
    let pool = pool(1, Duration::from_millis(20), 8);
    let (release, job) = occupy(&pool).await;
    let error = pool.hash("x").await.expect_err("no worker was free");
    let HashError::Busy(busy) = error else {
        panic!("expected Busy, got {error:?}");
    };
    assert!(busy.retry_after >= Duration::from_secs(1));
    release.send(()).expect("the job waits");
    job.await.expect("finishes");
    assert!(pool.hash("x").await.is_ok(), "the worker is free again");
}

#[tokio::test]
async fn requests_beyond_the_queue_length_are_refused_at_once_and_the_others_wait() {
    let pool = pool(1, Duration::from_secs(60), 1);
    let (release, job) = occupy(&pool).await;
    let waiting = {
        let pool = pool.clone();
        tokio::spawn(async move { pool.hash("queued").await })
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while pool.inner.waiting.load(Ordering::Acquire) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "never queued");
        tokio::task::yield_now().await;
    }
    assert!(matches!(pool.hash("third").await, Err(HashError::Busy(_))));
    release.send(()).expect("the job waits");
    job.await.expect("finishes");
    let queued = waiting.await.expect("joins").expect("the queued hash ran");
    assert!(pool.verify("queued", &queued).await.expect("runs"));
    assert_eq!(pool.inner.waiting.load(Ordering::Acquire), 0);
}

#[tokio::test]
async fn no_more_work_areas_are_allocated_than_there_are_workers() {
    let pool = pool(2, Duration::from_secs(60), 64);
    let hashes = futures_util::future::join_all((0..6).map(|i| {
        let pool = pool.clone();
        async move { pool.hash(&format!("password {i}")).await }
    }))
    .await;
    assert!(hashes.iter().all(Result::is_ok));
    let idle = pool.inner.idle_memory.lock().expect("not poisoned").len();
    assert!((1..=2).contains(&idle), "{idle} work areas kept");
}
