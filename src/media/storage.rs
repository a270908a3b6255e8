//! Where media files live: a local directory (`ROOST_MEDIA_DIR`) or an S3-compatible
//! bucket (`ROOST_S3_*`), both behind `object_store`, so the rest of Roost only sees
//! keys such as `media_attachments/123/original.jpeg`.
//!
//! URLs: with local storage, or S3 without `ROOST_S3_PUBLIC_URL`, Roost serves files
//! itself under `/system/KEY` (see [`super::serve`]); with a public URL, media URLs
//! point at `ROOST_S3_PUBLIC_URL/KEY` and the bucket (or its CDN) serves them.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutOptions};
use tokio::io::AsyncWriteExt;

use super::detect::Format;
use super::process::Original;
use super::spool::SpooledFile;
use crate::config::{Config, MediaStorageKind};

/// How long clients and caches may keep a media file: keys never change content.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// A spooled file is copied into the store in parts of this size (S3's smallest
/// multipart part); a smaller file is stored with one request.
const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts of one file sent at the same time.
const PARTS_IN_FLIGHT: usize = 2;

/// The configured media store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    /// Whether objects carry a Content-Type (S3 serves it to browsers).
    with_attributes: bool,
}

impl MediaStore {
    /// Opens the store the configuration names; creates the local directory if needed.
    pub fn from_config(config: &Config) -> anyhow::Result<MediaStore> {
        match config.media_storage {
            MediaStorageKind::Local => {
                std::fs::create_dir_all(&config.media_dir)?;
                let store = LocalFileSystem::new_with_prefix(&config.media_dir)?;
                Ok(MediaStore {
                    store: Arc::new(store),
                    with_attributes: false,
                })
            }
            MediaStorageKind::S3 => {
                anyhow::ensure!(
                    !config.s3_bucket.is_empty(),
                    "ROOST_MEDIA_STORAGE=s3 needs ROOST_S3_BUCKET"
                );
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&config.s3_bucket)
                    .with_region(&config.s3_region)
                    .with_access_key_id(&config.s3_access_key_id)
                    .with_secret_access_key(&config.s3_secret_access_key);
                if !config.s3_endpoint.is_empty() {
                    builder = builder
                        .with_endpoint(&config.s3_endpoint)
                        .with_allow_http(config.s3_endpoint.starts_with("http://"));
                }
                Ok(MediaStore {
                    store: Arc::new(builder.build()?),
                    with_attributes: true,
                })
            }
        }
    }

    /// Stores `bytes` under `key` (replacing any object there).
    pub async fn put(&self, key: &str, format: Format, bytes: Vec<u8>) -> anyhow::Result<()> {
        let options = PutOptions::from(self.attributes(format.content_type()));
        self.store
            .put_opts(&Path::from(key), Bytes::from(bytes).into(), options)
            .await?;
        Ok(())
    }

    /// Stores a processed original under `key`: bytes at once, a spooled file copied
    /// in parts, so that at most [`PARTS_IN_FLIGHT`] + 1 parts are in memory.
    pub async fn put_original(
        &self,
        key: &str,
        format: Format,
        original: Original,
    ) -> anyhow::Result<()> {
        match original {
            Original::Bytes(bytes) => self.put(key, format, bytes).await,
            Original::Spooled(file) => self.put_spooled(key, format, file).await,
        }
    }

    async fn put_spooled(
        &self,
        key: &str,
        format: Format,
        file: SpooledFile,
    ) -> anyhow::Result<()> {
        let attributes = self.attributes(format.content_type());
        self.copy_in(key, attributes, file.into_reader()?).await
    }

    /// Stores a finished file that is no media (an account archive) under `key` with
    /// `content_type`, copied in parts from its start as [`MediaStore::put_original`]
    /// copies a spooled upload.
    pub async fn put_file(
        &self,
        key: &str,
        content_type: &'static str,
        mut file: std::fs::File,
    ) -> anyhow::Result<()> {
        std::io::Seek::rewind(&mut file)?;
        self.copy_in(key, self.attributes(content_type), file).await
    }

    async fn copy_in(
        &self,
        key: &str,
        attributes: Attributes,
        file: std::fs::File,
    ) -> anyhow::Result<()> {
        let mut reader = tokio::fs::File::from_std(file);
        let mut writer = BufWriter::with_capacity(self.store.clone(), Path::from(key), PART_BYTES)
            .with_max_concurrency(PARTS_IN_FLIGHT)
            .with_attributes(attributes);
        if let Err(error) = tokio::io::copy(&mut reader, &mut writer).await {
            // Removes the parts already sent (S3) or the staging file (local).
            let _ = writer.abort().await;
            return Err(error.into());
        }
        // A writer whose shutdown failed is finished: aborting it would panic
        // (object_store's "Already shut down"), so the error is all there is to say.
        writer.shutdown().await?;
        Ok(())
    }

    /// What S3 objects carry: the Content-Type and Cache-Control served to browsers.
    fn attributes(&self, content_type: &'static str) -> Attributes {
        let mut attributes = Attributes::new();
        if self.with_attributes {
            attributes.insert(Attribute::ContentType, content_type.into());
            attributes.insert(Attribute::CacheControl, CACHE_CONTROL.into());
        }
        attributes
    }

    /// The object's content as a stream, or `None` when there is no such object.
    pub async fn get(
        &self,
        key: &str,
    ) -> anyhow::Result<Option<BoxStream<'static, object_store::Result<Bytes>>>> {
        match self.store.get(&Path::from(key)).await {
            Ok(result) => Ok(Some(result.into_stream().boxed())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// The object's whole content (tests and small files).
    pub async fn read(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        match self.store.get(&Path::from(key)).await {
            Ok(result) => Ok(Some(result.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes the object; an absent object is not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

/// Whether `key` is one Roost could have made: a few segments of `[A-Za-z0-9_.-]`,
/// none starting with a dot. Anything else is refused before reaching the store.
pub fn is_valid_key(key: &str) -> bool {
    let segments: Vec<&str> = key.split('/').collect();
    (1..=4).contains(&segments.len())
        && key.len() <= 200
        && segments.iter().all(|segment| {
            !segment.is_empty()
                && !segment.starts_with('.')
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_roost_makes_are_valid() {
        assert!(is_valid_key("media_attachments/123/original.jpeg"));
        assert!(is_valid_key("accounts/5/avatar-abc.png"));
        assert!(!is_valid_key("../secret.key"));
        assert!(!is_valid_key("a/../../b"));
        assert!(!is_valid_key("/etc/passwd"));
        assert!(!is_valid_key("a//b"));
        assert!(!is_valid_key("a/.hidden"));
        assert!(!is_valid_key("a/b%2e"));
    }
}
