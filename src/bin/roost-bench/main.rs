//! `roost-bench`: Roost's benchmark suite (see docs/benchmarks.md). Loads a dataset
//! into a fresh database, starts the release `roost serve`, drives it on loopback, and
//! prints, per benchmark, throughput, p50/p99, server CPU-µs per operation and peak
//! memory next to the matching floor measured in the same run. Everything is bounded
//! in time and count; only 127.0.0.1 is contacted.

mod dataset;
mod discovery;
mod farm;
mod federation;
mod floors;
mod graphql;
mod load;
mod memory;
mod pages;
mod process;
mod realistic;
mod realistic_dataset;
mod realistic_text;
mod report;
mod scale;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use load::{MakeRequest, Run};
use report::{Figure, Report};

/// Roost's benchmark suite.
#[derive(Debug, Parser)]
#[command(name = "roost-bench")]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// A small dataset and short runs (a few minutes in all).
    #[arg(long)]
    quick: bool,
    /// PostgreSQL server to use (the suite's databases are created on it afresh).
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Name of the suite's database; the other databases it needs are named after it
    /// (`NAME_b`, `NAME_realistic`, `NAME_fresh`, `NAME_scale`), so two suites can share
    /// a server.
    #[arg(long, default_value = "roost_bench")]
    database: String,
    /// The `roost` binary under test (a release build).
    #[arg(long, default_value = "target/release/roost")]
    server: PathBuf,
    /// Users in the dataset (default 10000; 1000 with --quick).
    #[arg(long)]
    users: Option<i64>,
    /// Accounts each user follows (default 200; 50 with --quick).
    #[arg(long)]
    follows: Option<i64>,
    /// Statuses in the dataset (default 1000000; 100000 with --quick).
    #[arg(long)]
    statuses: Option<i64>,
    /// Seconds per load run (default 20; 5 with --quick).
    #[arg(long)]
    seconds: Option<u64>,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Run only these benchmarks (comma-separated: B1,B2,B3,B4,B5,B8,B9,B10,B11,B12,B13,B14,B15,
    /// S1,S2,S3,floors); all by default. B6 and B7 are measured unless only B9 and B10 are
    /// asked for (they need no dataset, so none is loaded then). `--quick` also makes the
    /// scale tests smaller: S1 on 500 instances instead of 5,000, S2 with 4,000 Likes and
    /// Announces instead of 10,000, S3 on 20 instances instead of 100.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Where to write the figures as JSON.
    #[arg(long, default_value = "target/bench/latest.json")]
    json: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve a trivial JSON answer on 127.0.0.1:PORT (the HTTP floor; started by the suite).
    FloorServer { port: u16 },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.command {
        Some(Command::FloorServer { port }) => runtime.block_on(floors::serve_trivial_json(port)),
        None => runtime.block_on(suite(args)),
    }
}

async fn suite(args: Args) -> anyhow::Result<()> {
    let quick = args.quick;
    let size = dataset::Size {
        users: args.users.unwrap_or(if quick { 1_000 } else { 10_000 }),
        follows: args.follows.unwrap_or(if quick { 50 } else { 200 }),
        statuses: args
            .statuses
            .unwrap_or(if quick { 100_000 } else { 1_000_000 }),
    };
    let seconds = args.seconds.unwrap_or(if quick { 5 } else { 20 });
    let run = Run {
        connections: args.connections,
        duration: Duration::from_secs(seconds),
        max_requests: 2_000_000,
    };
    let mut report = Report::new(size, seconds, args.connections);
    let wanted =
        |name: &str| args.only.is_empty() || args.only.iter().any(|o| o.eq_ignore_ascii_case(name));

    let admin =
        roost::db::connect(&args.database_url, 4, std::time::Duration::from_secs(10)).await?;
    if wanted("B9") || wanted("B10") {
        let database = format!("{}_memory", args.database);
        let setup = memory::Setup {
            binary: &args.server,
            admin: &admin,
            database_url: bench_url(&args.database_url, &database)?,
            database,
        };
        report.memory = memory::run(&setup, wanted("B9"), wanted("B10")).await?;
    }
    if memory::only_memory(&args.only) {
        report.note("memory benchmarks only: no dataset loaded".to_owned());
        report.memory.iter().for_each(memory::MemoryFigure::print);
        report.write_json(&args.json)?;
        eprintln!("roost-bench: figures written to {}", args.json.display());
        return Ok(());
    }
    eprintln!("roost-bench: loading {size:?}");
    let pool = dataset::fresh_database(&admin, &args.database).await?;
    let load_started = std::time::Instant::now();
    let loaded = dataset::load(&pool, size).await?;
    let users = loaded.users.clone();
    report.note(format!(
        "dataset loaded in {:.1} s",
        load_started.elapsed().as_secs_f64()
    ));

    let port = free_port()?;
    let secret = roost::config::SecretKey(roost::auth::tokens::random_token(48).into_bytes());
    let secret_file = std::env::temp_dir().join(format!("roost-bench-{port}.key"));
    std::fs::write(&secret_file, &secret.0)?;
    let database_url = bench_url(&args.database_url, &args.database)?;
    let env = vec![
        ("DATABASE_URL", database_url),
        ("ROOST_SECRET_KEY_FILE", secret_file.display().to_string()),
        ("ROOST_DB_POOL_SIZE", "32".to_owned()),
    ];
    let server = process::start(&args.server, port, &env).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle_rss, _) = process::memory_mb(server.pid);
    let split = process::memory_split_mb(server.pid);
    report.add(Figure::startup(server.cold_start, idle_rss, split));
    let tokens = Arc::new(dataset::tokens(&pool, &secret, &server.base, &users).await?);

    let mut b2_throughput = None;
    if wanted("B2") {
        eprintln!("roost-bench: B2 home timeline");
        let home = home_timeline(&server.base, tokens.clone());
        let b2 = measure(server.pid, run, home).await;
        b2_throughput = Some(b2.measured.throughput);
        let sql_floor =
            floors::home_timeline_sql(&pool, &users, Duration::from_secs(seconds)).await?;
        report.add(Figure::load(
            "B2",
            "GET /api/v1/timelines/home?limit=20",
            b2,
            Some(("the same SQL (feed read), 8 conns", sql_floor)),
        ));
    }
    if wanted("B15") {
        eprintln!("roost-bench: B15 GraphQL home feed next to REST");
        report.add(graphql::b15(&server, &tokens, run, b2_throughput).await?);
    }
    if wanted("B1") {
        eprintln!("roost-bench: B1 post a status");
        let base = server.base.clone();
        let post_tokens = tokens.clone();
        let post: MakeRequest = Arc::new(move |client, n| {
            let token = &post_tokens[n as usize % post_tokens.len()];
            client
                .post(format!("{base}/api/v1/statuses"))
                .bearer_auth(token)
                .json(&serde_json::json!({"status": format!("benchmark post {n}")}))
        });
        let b1 = measure(server.pid, run, post).await;
        let insert_floor =
            floors::insert_status_sql(&pool, &users, Duration::from_secs(seconds)).await?;
        report.add(Figure::load(
            "B1",
            "POST /api/v1/statuses",
            b1,
            Some((
                "status (fan-out trigger) + outbox row SQL, 8 conns",
                insert_floor,
            )),
        ));
    }
    if wanted("B4") {
        eprintln!("roost-bench: B4 signed Creates into the inbox");
        let b4 = federation::inbox_stream(&server, run, &loaded.public_key_pem).await?;
        report.add(Figure::load(
            "B4",
            "signed Create(Note) into /inbox from 100 remote actors",
            b4,
            None,
        ));
    }
    if wanted("B5") {
        eprintln!("roost-bench: B5 burst of concurrent inbox POSTs");
        report.federation.burst =
            Some(federation::burst(&server, &pool, &loaded.public_key_pem).await?);
    }
    if wanted("B3") {
        eprintln!("roost-bench: B3 fan-out to remote followers");
        report.federation.fan_out = federation::fan_out(
            &server,
            &pool,
            (users[0], tokens[0].as_str()),
            &loaded.public_key_pem,
        )
        .await?;
    }
    if wanted("B8") {
        eprintln!("roost-bench: B8 follow round trips between two instances");
        report.add(follow_round_trips(&args, &admin, &server, &tokens).await?);
    }
    if wanted("B11") {
        eprintln!("roost-bench: B11 realistic statuses; the home timeline after a bulk load");
        let bench = realistic::Bench {
            admin: &admin,
            database_url: &args.database_url,
            database: &args.database,
            server: &args.server,
            size,
            run,
        };
        realistic::b11(&bench, &server, &tokens, &mut report).await?;
    }
    if wanted("B12") {
        eprintln!("roost-bench: B12 status search and trends refresh");
        discovery::b12(&server, &pool, &users, &tokens, run, &mut report).await?;
    }
    if wanted("B13") {
        eprintln!("roost-bench: B13 follow suggestions");
        discovery::b13(&server, &pool, &users, &tokens, run, &mut report).await?;
    }
    if wanted("B14") {
        eprintln!("roost-bench: B14 public profile and status pages");
        pages::b14(&server, &pool, run, &mut report).await?;
    }
    let scale = scale::Scale::new(quick);
    // S1 and S2 post as the dataset's second and third users (B3 posts as the first).
    anyhow::ensure!(
        !(wanted("S1") || wanted("S2")) || users.len() >= 3,
        "S1 and S2 need at least 3 users in the dataset"
    );
    if wanted("S1") {
        eprintln!(
            "roost-bench: S1 one post to {} remote followers on {} instances",
            scale.s1_instances * scale.s1_followers_per_instance,
            scale.s1_instances
        );
        let author = (users[1], tokens[1].as_str());
        let pem = &loaded.public_key_pem;
        report.scale.s1 =
            Some(scale::s1(&server, &pool, author, tokens.clone(), pem, scale).await?);
    }
    if wanted("S2") {
        eprintln!(
            "roost-bench: S2 {} Likes and Announces of one post",
            scale.s2_interactions
        );
        let author = (users[2], tokens[2].as_str());
        report.scale.s2 =
            Some(scale::s2(&server, &pool, author, &loaded.public_key_pem, scale).await?);
    }
    if wanted("floors") {
        eprintln!("roost-bench: HTTP floor");
        let floor_port = free_port()?;
        let floor = floors::trivial_json_http(floor_port, run).await?;
        report.add(floor);
        report.add_crypto(floors::crypto().await);
    }
    let (_, peak) = process::memory_mb(server.pid);
    report.note(format!("server peak RSS over the run: {peak:.1} MB"));
    server.stop().await;
    let _ = std::fs::remove_file(&secret_file);
    // After the main server stopped: S3 runs four processes of its own, and the
    // database connections the main server kept would count against PostgreSQL's limit.
    if wanted("S3") {
        eprintln!("roost-bench: S3 two HTTP processes and two workers on one database");
        let database = format!("{}_scale", args.database);
        let setup = scale::Setup {
            admin: &admin,
            binary: &args.server,
            database_url: bench_url(&args.database_url, &database)?,
            database,
        };
        report.scale.s3 = Some(scale::s3(&setup, scale).await?);
    }
    report.print();
    report.write_json(&args.json)?;
    eprintln!("roost-bench: figures written to {}", args.json.display());
    Ok(())
}

/// B2's request: `GET /api/v1/timelines/home?limit=20` as each user in turn.
fn home_timeline(base: &str, tokens: Arc<Vec<String>>) -> MakeRequest {
    let url = format!("{base}/api/v1/timelines/home?limit=20");
    Arc::new(move |client, n| {
        let token = &tokens[(n as usize * 7919) % tokens.len()];
        client.get(&url).bearer_auth(token)
    })
}

/// Runs a load against the server and adds its CPU time per operation and peak RSS.
async fn measure(pid: u32, run: Run, make: MakeRequest) -> load::Load {
    let cpu_before = process::cpu_micros(pid);
    let measured = load::run(run, make).await;
    let cpu = process::cpu_micros(pid).saturating_sub(cpu_before);
    let (_, peak) = process::memory_mb(pid);
    load::Load::new(measured, cpu, peak)
}

/// Pairs of B8 (each one follow, timed), after one untimed warm-up pair.
const B8_PAIRS: usize = 50;

/// B8: a second instance with its own database; users of the first follow its users.
async fn follow_round_trips(
    args: &Args,
    admin: &sqlx::PgPool,
    a: &process::Server,
    a_tokens: &[String],
) -> anyhow::Result<Figure> {
    let database_b = format!("{}_b", args.database);
    let pool = dataset::fresh_database(admin, &database_b).await?;
    // One pair more for the untimed warm-up.
    let pairs = B8_PAIRS + 1;
    let size = dataset::Size {
        users: pairs as i64,
        follows: 0,
        statuses: 0,
    };
    dataset::load(&pool, size).await?;
    let port = free_port()?;
    let secret_file = std::env::temp_dir().join(format!("roost-bench-{port}.key"));
    std::fs::write(&secret_file, roost::auth::tokens::random_token(48))?;
    let env = vec![
        ("DATABASE_URL", bench_url(&args.database_url, &database_b)?),
        ("ROOST_SECRET_KEY_FILE", secret_file.display().to_string()),
    ];
    let b = process::start(&args.server, port, &env).await?;
    let names: Vec<String> = (1..=pairs).map(|i| format!("bench{i}")).collect();
    let cpu_before = process::cpu_micros(a.pid) + process::cpu_micros(b.pid);
    let measured =
        federation::follow_round_trips(a, &a_tokens[..pairs.min(a_tokens.len())], &b, &names).await;
    let cpu = (process::cpu_micros(a.pid) + process::cpu_micros(b.pid)).saturating_sub(cpu_before);
    b.stop().await;
    let _ = std::fs::remove_file(&secret_file);
    let load = load::Load::new(measured?, cpu, process::memory_mb(a.pid).1);
    Ok(Figure::load(
        "B8",
        "follow round trip between two instances (sequential; CPU of both)",
        load,
        None,
    ))
}

/// A free TCP port on 127.0.0.1.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `url` naming database `name` instead.
fn bench_url(url: &str, name: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(url)?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}
