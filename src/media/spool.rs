//! Uploaded files on their way in. Each accepted file part of a multipart body is
//! written, as it arrives, to an anonymous temporary file: it has no name on disk, so
//! it disappears when dropped on every path (refusal, error, panic, even a crash of
//! the process). Writing stops with [`SpoolError::TooLarge`] as soon as the file
//! passes `ROOST_MAX_UPLOAD_BYTES`, so an oversized upload costs neither memory nor
//! more disk than the limit. Before, a request's files were read whole into memory:
//! four concurrent 80 MB uploads over the limit took 2 GB before the 422.
//!
//! Spool files live in `ROOST_MEDIA_DIR` with local storage (the disk the file will
//! end up on anyway) and in the system's temporary directory with S3 storage.

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use tokio::io::{AsyncWriteExt, BufWriter};

use crate::config::{Config, MediaStorageKind};

/// Bytes buffered in memory before a write to the spool file.
const WRITE_BUFFER: usize = 256 * 1024;

/// Where and how large uploads are spooled.
#[derive(Clone, Debug)]
pub struct SpoolSettings {
    /// Directory of the anonymous temporary files.
    pub dir: PathBuf,
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
}

impl SpoolSettings {
    /// The media directory with local storage, the system's temporary directory
    /// with S3; `ROOST_MAX_UPLOAD_BYTES`.
    pub fn from_config(config: &Config) -> SpoolSettings {
        let dir = match config.media_storage {
            MediaStorageKind::Local => config.media_dir.clone(),
            MediaStorageKind::S3 => std::env::temp_dir(),
        };
        SpoolSettings {
            dir,
            max_bytes: config.max_upload_bytes,
        }
    }
}

/// Why a file could not be spooled.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The file passed the limit (in bytes); nothing more was read.
    #[error("File is larger than {0} bytes")]
    TooLarge(u64),
    /// The temporary file could not be created or written.
    #[error("spooling an upload: {0}")]
    Io(#[from] std::io::Error),
}

/// A file being received.
pub struct Spooler {
    file: BufWriter<tokio::fs::File>,
    len: u64,
    max_bytes: u64,
}

impl Spooler {
    /// Creates the anonymous temporary file.
    pub async fn create(settings: &SpoolSettings) -> Result<Spooler, SpoolError> {
        let dir = settings.dir.clone();
        let file = tokio::task::spawn_blocking(move || tempfile::tempfile_in(dir))
            .await
            .map_err(std::io::Error::other)??;
        Ok(Spooler {
            file: BufWriter::with_capacity(WRITE_BUFFER, tokio::fs::File::from_std(file)),
            len: 0,
            max_bytes: settings.max_bytes,
        })
    }

    /// Appends `chunk`; fails without writing it when the file would pass the limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), SpoolError> {
        let len = self.len.saturating_add(chunk.len() as u64);
        if len > self.max_bytes {
            return Err(SpoolError::TooLarge(self.max_bytes));
        }
        self.file.write_all(chunk).await?;
        self.len = len;
        Ok(())
    }

    /// The complete file, ready to be read from its start.
    pub async fn finish(mut self) -> Result<SpooledFile, SpoolError> {
        self.file.flush().await?;
        let file = self.file.into_inner().into_std().await;
        Ok(SpooledFile {
            file,
            len: self.len,
        })
    }
}

/// A received file in an anonymous temporary file (removed when dropped). Its
/// methods do blocking I/O: call them off the async runtime.
#[derive(Debug)]
pub struct SpooledFile {
    file: std::fs::File,
    len: u64,
}

impl SpooledFile {
    /// A spooled file holding `bytes` (tests and tools).
    pub fn from_bytes(dir: &std::path::Path, bytes: &[u8]) -> std::io::Result<SpooledFile> {
        use std::io::Write;
        let mut file = tempfile::tempfile_in(dir)?;
        file.write_all(bytes)?;
        Ok(SpooledFile {
            file,
            len: bytes.len() as u64,
        })
    }

    /// A file already on disk (a converted video), of `len` bytes.
    pub fn from_file(file: std::fs::File, len: u64) -> SpooledFile {
        SpooledFile { file, len }
    }

    /// A second handle on the same file, for a child process to read it (through
    /// `/dev/stdin`, which opens it anew: the two do not share a position).
    pub fn try_clone_file(&self) -> std::io::Result<std::fs::File> {
        self.file.try_clone()
    }

    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// At most the first `max` bytes.
    pub fn head(&mut self, max: usize) -> std::io::Result<Vec<u8>> {
        self.file.seek(SeekFrom::Start(0))?;
        let mut head = Vec::with_capacity(max.min(self.len as usize));
        (&mut self.file).take(max as u64).read_to_end(&mut head)?;
        Ok(head)
    }

    /// The whole content (bounded by the upload limit it was spooled with).
    pub fn read_all(&mut self) -> std::io::Result<Vec<u8>> {
        self.head(usize::try_from(self.len).unwrap_or(usize::MAX))
    }

    /// The file, positioned at its start, for copying it into the media store.
    pub fn into_reader(mut self) -> std::io::Result<std::fs::File> {
        self.file.seek(SeekFrom::Start(0))?;
        Ok(self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &std::path::Path, max_bytes: u64) -> SpoolSettings {
        SpoolSettings {
            dir: dir.to_owned(),
            max_bytes,
        }
    }

    #[tokio::test]
    async fn a_file_within_the_limit_reads_back_whole_and_leaves_no_name_on_disk() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut spooler = Spooler::create(&settings(dir.path(), 10))
            .await
            .expect("creates");
        spooler.write(b"hello").await.expect("fits");
        spooler.write(b" you").await.expect("fits");
        let mut file = spooler.finish().await.expect("finishes");
        assert_eq!(file.len(), 9);
        assert_eq!(file.head(4).expect("reads"), b"hell");
        assert_eq!(file.read_all().expect("reads"), b"hello you");
        let names = std::fs::read_dir(dir.path()).expect("lists").count();
        assert_eq!(names, 0, "the spool file has a name");
    }

    #[tokio::test]
    async fn a_file_passing_the_limit_is_refused_at_the_chunk_that_passes_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut spooler = Spooler::create(&settings(dir.path(), 10))
            .await
            .expect("creates");
        spooler
            .write(b"0123456789")
            .await
            .expect("exactly the limit fits");
        let error = spooler.write(b"x").await.expect_err("one byte too many");
        assert!(matches!(error, SpoolError::TooLarge(10)), "{error:?}");
    }
}
