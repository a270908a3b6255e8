//! B15: the home feed through the GraphQL API (`POST /api/graphql`, `homeFeed(first:
//! 20)` with the fields a timeline shows) next to the same page through REST (B2's
//! `GET /api/v1/timelines/home?limit=20`): same dataset, same users in the same order,
//! same connections, so the ratio is the cost of the GraphQL layer.

use std::sync::Arc;

use anyhow::Context as _;

use crate::load::{MakeRequest, Run};
use crate::process::Server;
use crate::report::Figure;

/// The query B15 sends: one page of the home feed with what a client draws.
const HOME_FEED: &str = "query HomeFeed { homeFeed(first: 20) { edges { cursor node { \
    id createdAt content spoilerText visibility repliesCount reblogsCount favouritesCount \
    favourited reblogged account { id username acct displayName avatar } } } \
    pageInfo { hasNextPage endCursor } } }";

/// The GraphQL request of the `n`-th operation (users taken in B2's order).
pub fn home_feed(base: &str, tokens: Arc<Vec<String>>) -> MakeRequest {
    let url = format!("{base}/api/graphql");
    let body = serde_json::json!({ "query": HOME_FEED });
    Arc::new(move |client, n| {
        let token = &tokens[(n as usize * 7919) % tokens.len()];
        client.post(&url).bearer_auth(token).json(&body)
    })
}

/// B15, with B2's REST throughput as the floor when B2 ran in this suite (measured
/// here otherwise). Checks first that the query answers data without errors, since a
/// GraphQL error is still a 200.
pub async fn b15(
    server: &Server,
    tokens: &Arc<Vec<String>>,
    run: Run,
    rest_throughput: Option<f64>,
) -> anyhow::Result<Figure> {
    check_answer(server, tokens).await?;
    let graphql = crate::measure(server.pid, run, home_feed(&server.base, tokens.clone())).await;
    let rest = match rest_throughput {
        Some(rate) => rate,
        None => {
            let request = crate::home_timeline(&server.base, tokens.clone());
            crate::measure(server.pid, run, request)
                .await
                .measured
                .throughput
        }
    };
    Ok(Figure::load(
        "B15",
        "POST /api/graphql homeFeed(first: 20)",
        graphql,
        Some(("GET /api/v1/timelines/home?limit=20 (B2)", rest)),
    ))
}

async fn check_answer(server: &Server, tokens: &[String]) -> anyhow::Result<()> {
    let token = tokens.first().context("no users")?;
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/graphql", server.base))
        .bearer_auth(token)
        .json(&serde_json::json!({ "query": HOME_FEED }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    anyhow::ensure!(
        answer.get("errors").is_none() && answer["data"]["homeFeed"]["edges"].is_array(),
        "the GraphQL home feed query failed: {answer}"
    );
    Ok(())
}
