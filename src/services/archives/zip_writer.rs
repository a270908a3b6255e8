//! Writing a .zip from async code with bounded memory: the `zip` crate writes
//! synchronously to a file, so one blocking thread owns the writer and receives the
//! entries' names and bytes through a bounded channel; a slow disk makes the sender
//! wait rather than pile chunks up in memory.

use bytes::Bytes;
use std::io::Write;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Chunks in flight between the builder and the writing thread.
const IN_FLIGHT: usize = 16;

/// How an entry is stored.
#[derive(Clone, Copy, Debug)]
pub enum Compression {
    /// Deflated (JSON documents).
    Deflated,
    /// As is (media files are compressed already).
    Stored,
}

enum Piece {
    Start(String, Compression),
    Data(Bytes),
}

/// The sending side: entries are started and filled in order.
pub struct ZipSink {
    sender: mpsc::Sender<Piece>,
}

impl ZipSink {
    /// Starts the writing thread on `file`; the handle returns the finished file once
    /// every sink is dropped.
    pub fn open(file: std::fs::File) -> (ZipSink, JoinHandle<anyhow::Result<std::fs::File>>) {
        let (sender, receiver) = mpsc::channel(IN_FLIGHT);
        let writer = tokio::task::spawn_blocking(move || write_all(receiver, file));
        (ZipSink { sender }, writer)
    }

    /// Starts the entry `name`; what is written next belongs to it.
    pub async fn start(&self, name: &str, compression: Compression) -> anyhow::Result<()> {
        self.send(Piece::Start(name.to_owned(), compression)).await
    }

    /// Appends bytes to the current entry.
    pub async fn write(&self, bytes: impl Into<Bytes>) -> anyhow::Result<()> {
        self.send(Piece::Data(bytes.into())).await
    }

    async fn send(&self, piece: Piece) -> anyhow::Result<()> {
        self.sender
            .send(piece)
            .await
            .map_err(|_| anyhow::anyhow!("the archive writer stopped"))
    }
}

/// The writing thread: entries as they come, then the central directory.
fn write_all(
    mut receiver: mpsc::Receiver<Piece>,
    file: std::fs::File,
) -> anyhow::Result<std::fs::File> {
    let mut zip = ZipWriter::new(file);
    while let Some(piece) = receiver.blocking_recv() {
        match piece {
            Piece::Start(name, compression) => {
                let method = match compression {
                    Compression::Deflated => CompressionMethod::Deflated,
                    Compression::Stored => CompressionMethod::Stored,
                };
                let options = SimpleFileOptions::default()
                    .compression_method(method)
                    .large_file(true)
                    .unix_permissions(0o444);
                zip.start_file(name, options)?;
            }
            Piece::Data(bytes) => zip.write_all(&bytes)?,
        }
    }
    Ok(zip.finish()?)
}
