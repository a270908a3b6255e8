//! The suite's results: a table on stdout and the same figures as JSON, so runs can be
//! compared.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::dataset::Size;
use crate::load::Load;

/// One row of the table.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    pub id: String,
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<Load>,
    /// The floor it is compared with: what, and operations per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<(String, f64)>,
    /// Throughput as a share of the floor's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio_to_floor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cold_start_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_rss_mb: Option<f64>,
    /// The idle RSS's anonymous and file-backed parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_rss_anon_mb: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_rss_file_mb: Option<f64>,
}

impl Figure {
    /// A load benchmark, with its floor when there is one.
    pub fn load(id: &str, what: &str, load: Load, floor: Option<(&str, f64)>) -> Figure {
        let ratio = floor.map(|(_, rate)| load.measured.throughput / rate.max(f64::MIN_POSITIVE));
        Figure {
            id: id.to_owned(),
            what: what.to_owned(),
            load: Some(load),
            floor: floor.map(|(what, rate)| (what.to_owned(), rate)),
            ratio_to_floor: ratio,
            cold_start_ms: None,
            idle_rss_mb: None,
            idle_rss_anon_mb: None,
            idle_rss_file_mb: None,
        }
    }

    /// B7 and B6 (idle): cold start and memory at rest, with its (anonymous,
    /// file-backed) parts.
    pub fn startup(cold_start: Duration, idle_rss_mb: f64, (anon, file): (f64, f64)) -> Figure {
        Figure {
            id: "B6/B7".to_owned(),
            what: "cold start to first 200; idle RSS".to_owned(),
            load: None,
            floor: None,
            ratio_to_floor: None,
            cold_start_ms: Some(cold_start.as_secs_f64() * 1000.0),
            idle_rss_mb: Some(idle_rss_mb),
            idle_rss_anon_mb: Some(anon),
            idle_rss_file_mb: Some(file),
        }
    }
}

/// Signing rates (operations per second).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Crypto {
    pub roost_http_sign_per_s: Option<f64>,
    pub openssl_sign_per_s: Option<f64>,
    pub openssl_verify_per_s: Option<f64>,
}

/// The federation figures that are not plain load runs (B3, B5).
#[derive(Debug, Default, Serialize)]
pub struct FederationFigures {
    pub fan_out: Vec<crate::federation::FanOut>,
    pub burst: Option<crate::federation::Burst>,
}

/// Everything a run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    pub date: String,
    pub dataset: Size,
    pub seconds_per_run: u64,
    pub connections: usize,
    pub figures: Vec<Figure>,
    pub crypto: Crypto,
    pub federation: FederationFigures,
    /// B9 and B10 (see `memory.rs`).
    pub memory: Vec<crate::memory::MemoryFigure>,
    /// S1–S3 (see `scale.rs`).
    pub scale: crate::scale::ScaleFigures,
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(dataset: Size, seconds_per_run: u64, connections: usize) -> Report {
        Report {
            date: chrono::Utc::now().to_rfc3339(),
            dataset,
            seconds_per_run,
            connections,
            figures: Vec::new(),
            crypto: Crypto::default(),
            federation: FederationFigures::default(),
            memory: Vec::new(),
            scale: crate::scale::ScaleFigures::default(),
            notes: Vec::new(),
        }
    }

    pub fn add(&mut self, figure: Figure) {
        self.figures.push(figure);
    }

    pub fn add_crypto(&mut self, crypto: Crypto) {
        self.crypto = crypto;
    }

    pub fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    /// The table, as in docs/benchmarks.md.
    pub fn print(&self) {
        println!("| # | Benchmark | req/s | p50 ms | p99 ms | errors | server CPU-µs/op | peak RSS MB | floor | floor ops/s | ratio |");
        println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
        for figure in &self.figures {
            match &figure.load {
                Some(load) => println!(
                    "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.0} | {:.1} | {} | {} | {} |",
                    figure.id,
                    figure.what,
                    load.measured.throughput,
                    load.measured.p50_ms,
                    load.measured.p99_ms,
                    load.measured.errors,
                    load.cpu_us_per_op,
                    load.peak_rss_mb,
                    figure
                        .floor
                        .as_ref()
                        .map_or("—".to_owned(), |(what, _)| what.clone()),
                    figure
                        .floor
                        .as_ref()
                        .map_or("—".to_owned(), |(_, rate)| format!("{rate:.0}")),
                    figure
                        .ratio_to_floor
                        .map_or("—".to_owned(), |r| format!("{r:.2}")),
                ),
                None => println!(
                    "| {} | {} | cold start {:.1} ms | idle RSS {:.1} MB (anonymous {:.1}, file {:.1}) | | | | | | | |",
                    figure.id,
                    figure.what,
                    figure.cold_start_ms.unwrap_or(0.0),
                    figure.idle_rss_mb.unwrap_or(0.0),
                    figure.idle_rss_anon_mb.unwrap_or(0.0),
                    figure.idle_rss_file_mb.unwrap_or(0.0),
                ),
            }
        }
        let rate = |r: Option<f64>| r.map_or("—".to_owned(), |r| format!("{r:.0}/s"));
        println!();
        println!(
            "RSA-2048: Roost HTTP signature {}; OpenSSL sign {}, verify {}",
            rate(self.crypto.roost_http_sign_per_s),
            rate(self.crypto.openssl_sign_per_s),
            rate(self.crypto.openssl_verify_per_s),
        );
        for fan_out in &self.federation.fan_out {
            println!(
                "B3 ({}): {} signed requests verified, {} rejected; the {} healthy instances had the post {:.1} ms after it was accepted",
                fan_out.configuration, fan_out.verified, fan_out.rejected, fan_out.healthy_instances, fan_out.healthy_done_ms
            );
        }
        if let Some(burst) = &self.federation.burst {
            println!(
                "B5: {} of {} concurrent signed POSTs accepted; all processed {:.0} ms after the first; server peak RSS {:.1} MB",
                burst.accepted, burst.sent, burst.drained_ms, burst.peak_rss_mb
            );
        }
        for figure in &self.memory {
            figure.print();
        }
        self.scale.print();
        for note in &self.notes {
            println!("note: {note}");
        }
    }

    pub fn write_json(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(self)?)?;
        Ok(())
    }
}
