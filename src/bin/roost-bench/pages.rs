//! B14: the public HTML pages a browser gets, `GET /@user` (profile) and
//! `GET /@user/:id` (status), signed out, with a browser's `Accept` header, under load
//! on the plain dataset. Each page is compared with the same URL asked for as
//! ActivityStreams JSON in the same run: the same account and status lookups with a
//! different rendering, so the ratio shows what the page costs beyond them.
//! Target: p99 ≤ 20 ms.

use std::sync::Arc;

use sqlx::PgPool;

use crate::load::{MakeRequest, Run};
use crate::process::Server;
use crate::report::{Figure, Report};

/// What Chromium sends as `Accept` when it opens a page.
pub const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,\
    image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";
/// What a server fetching the ActivityStreams document sends.
const ACTIVITY_JSON: &str = "application/activity+json";
/// Statuses whose pages B14 spreads its requests over.
const SAMPLED_STATUSES: i64 = 10_000;

/// Which page a run asks for.
#[derive(Clone, Copy, Debug)]
enum Page {
    Profile,
    Status,
}

/// Runs B14 and adds its figures to `report`.
pub async fn b14(
    server: &Server,
    pool: &PgPool,
    run: Run,
    report: &mut Report,
) -> anyhow::Result<()> {
    let paths = Arc::new(Paths::sample(pool).await?);
    for page in [Page::Profile, Page::Status] {
        check_page(server, &paths, page).await?;
        let html =
            crate::measure(server.pid, run, gets(server, &paths, page, BROWSER_ACCEPT)).await;
        let json = crate::measure(server.pid, run, gets(server, &paths, page, ACTIVITY_JSON)).await;
        let what = match page {
            Page::Profile => "GET /@user (HTML, browser Accept, signed out)",
            Page::Status => "GET /@user/:id (HTML, browser Accept, signed out)",
        };
        let rate = json.measured.throughput;
        report.note(format!(
            "B14: {what} p99 {:.1} ms (target ≤ 20 ms); as ActivityStreams JSON p99 {:.1} ms, \
             {:.0} CPU-µs/op",
            html.measured.p99_ms, json.measured.p99_ms, json.cpu_us_per_op
        ));
        let variant = "the same URL as ActivityStreams JSON";
        report.add(Figure::load("B14", what, html, Some((variant, rate))));
    }
    Ok(())
}

/// The profile and status paths the load spreads over.
struct Paths {
    profiles: Vec<String>,
    statuses: Vec<String>,
}

impl Paths {
    /// Every local user's profile and [`SAMPLED_STATUSES`] public statuses spread over
    /// the dataset (every n-th by id, so old and new ones alike).
    async fn sample(pool: &PgPool) -> anyhow::Result<Paths> {
        let profiles: Vec<String> = sqlx::query_scalar(
            "SELECT '/@' || username FROM accounts WHERE domain IS NULL AND username LIKE 'bench%' \
             ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let statuses: Vec<String> = sqlx::query_scalar(
            "SELECT '/@' || a.username || '/' || s.id FROM ( \
                 SELECT id, account_id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total \
                 FROM statuses WHERE visibility = 'public' AND deleted_at IS NULL AND reblog_of_id IS NULL) s \
             JOIN accounts a ON a.id = s.account_id \
             WHERE s.n % greatest(1, s.total / $1) = 0 ORDER BY s.id",
        )
        .bind(SAMPLED_STATUSES)
        .fetch_all(pool)
        .await?;
        anyhow::ensure!(
            !profiles.is_empty() && !statuses.is_empty(),
            "B14 needs users and public statuses in the dataset"
        );
        Ok(Paths { profiles, statuses })
    }

    /// The path of request `n` (7919 is prime: consecutive requests hit different pages).
    fn get(&self, page: Page, n: u64) -> &str {
        let list = match page {
            Page::Profile => &self.profiles,
            Page::Status => &self.statuses,
        };
        &list[(n as usize * 7919) % list.len()]
    }
}

/// Signed-out GETs of the pages of `page`, with `accept`.
fn gets(server: &Server, paths: &Arc<Paths>, page: Page, accept: &'static str) -> MakeRequest {
    let base = server.base.clone();
    let paths = paths.clone();
    Arc::new(move |client, n| {
        client
            .get(format!("{base}{}", paths.get(page, n)))
            .header(reqwest::header::ACCEPT, accept)
    })
}

/// Makes sure the first page answers `200` with HTML before it is measured, so the run
/// times pages, not errors.
async fn check_page(server: &Server, paths: &Paths, page: Page) -> anyhow::Result<()> {
    let url = format!("{}{}", server.base, paths.get(page, 0));
    let response = reqwest::Client::new()
        .get(&url)
        .header(reqwest::header::ACCEPT, BROWSER_ACCEPT)
        .send()
        .await?;
    let status = response.status();
    let html = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    anyhow::ensure!(
        status.is_success() && html,
        "B14: {url} answered {status} without HTML to a browser"
    );
    Ok(())
}
