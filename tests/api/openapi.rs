//! The OpenAPI document served at `/api/openapi.json` is one that schema-driven tools
//! accept: checked here rule by rule, then by an independent validator
//! (`openapi-spec-validator`, Python), and finally used to fuzz the running API with
//! schemathesis, which must never get a 5xx.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;
use tokio::process::Command;

use crate::helpers::staff::staff;
use crate::helpers::{expect_json, test_python, TestApp};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn served_document(app: &TestApp) -> Value {
    expect_json(app.get("/api/openapi.json").send().await, 200).await
}

/// Every problem of `document` as a sentence; empty when it is valid.
fn problems(document: &Value) -> Vec<String> {
    let mut found = Vec::new();
    if !document["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3."))
    {
        found.push(format!("`openapi` is {}, not 3.x", document["openapi"]));
    }
    let schemes = document["components"]["securitySchemes"].as_object();
    let mut operation_ids: BTreeMap<String, String> = BTreeMap::new();
    let paths = document["paths"].as_object().cloned().unwrap_or_default();
    if paths.is_empty() {
        found.push("the document has no paths".to_owned());
    }
    for (path, item) in &paths {
        if !path.starts_with('/') {
            found.push(format!("path {path} does not start with /"));
        }
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let name = format!("{} {path}", method.to_uppercase());
            found.extend(parameter_problems(&name, path, item, operation));
            found.extend(response_problems(&name, operation));
            match operation["operationId"].as_str() {
                None => found.push(format!("{name} has no operationId")),
                Some(id) => {
                    if let Some(first) = operation_ids.insert(id.to_owned(), name.clone()) {
                        found.push(format!("{name} repeats the operationId {id} of {first}"));
                    }
                }
            }
            for requirement in operation["security"].as_array().into_iter().flatten() {
                for scheme in requirement
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    if !schemes.is_some_and(|s| s.contains_key(scheme)) {
                        found.push(format!("{name} requires the undefined scheme {scheme}"));
                    }
                }
            }
        }
    }
    found.extend(unresolved_refs(document, document, "#"));
    found
}

/// The names in `{…}` of a path template.
fn template_names(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

/// Each `{name}` of the path is a required path parameter of the operation, each path
/// parameter is in the template, and no parameter is declared twice.
fn parameter_problems(name: &str, path: &str, item: &Value, operation: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let declared: Vec<&Value> = item["parameters"]
        .as_array()
        .into_iter()
        .chain(operation["parameters"].as_array())
        .flatten()
        .collect();
    let mut seen = BTreeSet::new();
    let mut in_path = BTreeSet::new();
    for parameter in declared {
        let (Some(parameter_name), Some(location)) =
            (parameter["name"].as_str(), parameter["in"].as_str())
        else {
            found.push(format!(
                "{name} has a parameter without name or `in`: {parameter}"
            ));
            continue;
        };
        if !seen.insert((parameter_name, location)) {
            found.push(format!(
                "{name} declares {location} parameter {parameter_name} twice"
            ));
        }
        if location == "path" {
            in_path.insert(parameter_name.to_owned());
            if parameter["required"] != Value::Bool(true) {
                found.push(format!(
                    "{name}: path parameter {parameter_name} is not required"
                ));
            }
        }
        if parameter.get("schema").is_none() && parameter.get("content").is_none() {
            found.push(format!("{name}: parameter {parameter_name} has no schema"));
        }
    }
    let template = template_names(path);
    for missing in template.difference(&in_path) {
        found.push(format!(
            "{name} does not declare its path parameter {missing}"
        ));
    }
    for extra in in_path.difference(&template) {
        found.push(format!(
            "{name} declares path parameter {extra}, absent from the path"
        ));
    }
    found
}

/// An operation has responses, each keyed by a status code, a range or `default`.
fn response_problems(name: &str, operation: &Value) -> Vec<String> {
    let Some(responses) = operation["responses"].as_object().filter(|r| !r.is_empty()) else {
        return vec![format!("{name} has no responses")];
    };
    let valid = |code: &str| {
        code == "default"
            || (code.len() == 3
                && code.starts_with(['1', '2', '3', '4', '5'])
                && (code[1..].chars().all(|c| c.is_ascii_digit()) || &code[1..] == "XX"))
    };
    let mut found = Vec::new();
    for (code, response) in responses {
        if !valid(code) {
            found.push(format!("{name} has a response keyed {code}"));
        }
        if response.get("$ref").is_none() && !response["description"].is_string() {
            found.push(format!("{name}: response {code} has no description"));
        }
    }
    found
}

/// Every `$ref` under `value` (at JSON pointer `at`) names a part of `document`.
fn unresolved_refs(document: &Value, value: &Value, at: &str) -> Vec<String> {
    match value {
        Value::Object(members) => members
            .iter()
            .flat_map(|(key, member)| {
                let here = format!("{at}/{key}");
                let mut found = unresolved_refs(document, member, &here);
                if key == "$ref" {
                    let target = member.as_str().and_then(|r| r.strip_prefix('#'));
                    if target
                        .and_then(|pointer| document.pointer(pointer))
                        .is_none()
                    {
                        found.push(format!("{here} = {member} does not resolve"));
                    }
                }
                found
            })
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(index, item)| unresolved_refs(document, item, &format!("{at}/{index}")))
            .collect(),
        _ => Vec::new(),
    }
}

#[sqlx::test]
async fn the_openapi_document_declares_every_path_parameter_and_resolves_every_reference(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let document = served_document(&app).await;
    let found = problems(&document);
    assert!(
        found.is_empty(),
        "{} problems:\n{}",
        found.len(),
        found.join("\n")
    );
    app.stop().await;
}

#[test]
fn the_document_checks_catch_an_undeclared_path_parameter_and_a_dangling_reference() {
    let document = serde_json::json!({
        "openapi": "3.1.0",
        "paths": { "/things/{id}": { "get": {
            "operationId": "show",
            "responses": { "200": { "description": "ok",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Nope" } } } } }
        } } }
    });
    let found = problems(&document);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains("does not declare its path parameter id"),
        "{found:?}"
    );
    assert!(found[1].contains("does not resolve"), "{found:?}");
}

/// Runs `python -m module args…` from the test venv in a scratch directory, at most
/// `limit`; returns whether it succeeded and what it printed.
async fn run_python_module(module: &str, args: &[String], limit: Duration) -> (bool, String) {
    let scratch = tempfile::tempdir().expect("creates a scratch directory");
    let child = Command::new(test_python())
        .arg("-m")
        .arg(module)
        .args(args)
        .current_dir(scratch.path())
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(limit, child)
        .await
        .unwrap_or_else(|_| panic!("{module} did not finish within {limit:?}"))
        .unwrap_or_else(|error| panic!("{module} does not start: {error}"));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), printed)
}

#[sqlx::test]
async fn the_openapi_document_passes_openapi_spec_validator(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let document = served_document(&app).await;
    let file = tempfile::NamedTempFile::new().expect("temporary file");
    std::fs::write(file.path(), document.to_string()).expect("writes the document");
    let path = file.path().display().to_string();
    let (valid, printed) =
        run_python_module("openapi_spec_validator", &[path], Duration::from_secs(120)).await;
    assert!(
        valid,
        "openapi-spec-validator refuses the document:\n{printed}"
    );
    app.stop().await;
}

/// The Server-Sent-Events streams answer with an endless body: not for a fuzzer.
const ENDLESS_OPERATIONS: &str = "^/api/v1/streaming/(user|public|hashtag|list|direct)";

/// schemathesis' settings: `{id}` and `{account_id}` are, half of the time, ids
/// that exist (so the handlers get past their lookups), the rest generated.
fn schemathesis_config(ids: &[String]) -> String {
    let values: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
    format!(
        "[dictionaries.ids]\nvalues = [{}]\n\n[parameters]\n\
         \"path.id\" = {{ dictionary = \"ids\", probability = 0.5 }}\n\
         \"path.account_id\" = {{ dictionary = \"ids\", probability = 0.5 }}\n",
        values.join(", ")
    )
}

/// Runs schemathesis (from the test venv) against `app`'s own document with
/// `token`, on the operations `filter` selects; returns whether no request got a 5xx,
/// and the report. Bounded and repeatable: a fixed number of examples per operation,
/// deterministic generation, no stateful phase, and a time limit on the process.
async fn schemathesis(
    app: &TestApp,
    config: &str,
    token: &str,
    filter: [&str; 2],
) -> (bool, String) {
    let config_file = tempfile::NamedTempFile::new().expect("temporary file");
    std::fs::write(config_file.path(), config).expect("writes the configuration");
    let args: Vec<String> = [
        "--config-file",
        &config_file.path().display().to_string(),
        "run",
        &app.url("/api/openapi.json"),
        "--url",
        &app.base,
        "--header",
        &format!("Authorization: Bearer {token}"),
        filter[0],
        filter[1],
        "--exclude-path-regex",
        ENDLESS_OPERATIONS,
        "--checks",
        "not_a_server_error",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "15",
        "--generation-deterministic",
        // NUL bytes included: every input must refuse or survive them (no 5xx).
        "--generation-allow-x00",
        "true",
        // One worker: CPython 3.11 may fail parsing hypothesis' lambdas in threads.
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
    ]
    .iter()
    .map(|arg| arg.to_string())
    .collect();
    // Generous: the run grows with every documented operation (about 120 of them take
    // five minutes on a loaded two-core machine).
    run_python_module("schemathesis.cli", &args, Duration::from_secs(600)).await
}

#[sqlx::test]
async fn schemathesis_gets_no_server_error_from_any_documented_operation(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let status = app.post_status(&alice, &[("status", "Hello #roost")]).await;
    let (boss, admin) = staff(&app, "boss", "admin").await;
    let mut ids = vec![
        alice.account_id.clone(),
        bob.account_id.clone(),
        boss.account_id,
        status,
    ];
    for (token, path, form) in [
        (
            &alice.access_token,
            "/api/v1/reports",
            [("account_id", bob.account_id.as_str())],
        ),
        (
            &admin,
            "/api/v1/admin/domain_blocks",
            [("domain", "spam.example")],
        ),
    ] {
        let created = app.post(path).bearer_auth(token).form(&form).send().await;
        let created = expect_json(created, 200).await;
        ids.push(created["id"].as_str().expect("an id").to_owned());
    }
    let config = schemathesis_config(&ids);
    let runs = [
        (alice.access_token.as_str(), ["--exclude-tag", "admin"]),
        (admin.as_str(), ["--include-tag", "admin"]),
    ];
    for (token, filter) in runs {
        let (passed, report) = schemathesis(&app, &config, token, filter).await;
        assert!(passed, "schemathesis found server errors:\n{report}");
    }
    app.stop().await;
}
