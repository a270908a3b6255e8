//! A multipart upload on a raw HTTP/1.1 connection that reads the answer while it
//! sends (reqwest would only read it after sending everything), for B10.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BOUNDARY: &str = "roost-bench-boundary";

/// Sends `POST /api/v2/media` with a file of `file_bytes` on a raw connection,
/// reading the answer while sending; stops sending when it arrives. Returns the status
/// and the bytes of the file sent until then.
pub async fn upload(address: &str, token: &str, file_bytes: u64) -> anyhow::Result<(u16, u64)> {
    let stream = tokio::net::TcpStream::connect(address).await?;
    let (mut reader, mut writer) = stream.into_split();
    let part_head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n\
         Content-Type: video/mp4\r\n\r\n"
    );
    let part_tail = format!("\r\n--{BOUNDARY}--\r\n");
    let body_len = part_head.len() as u64 + file_bytes + part_tail.len() as u64;
    let head = format!(
        "POST /api/v2/media HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {body_len}\r\n\r\n"
    );
    let sent = Arc::new(AtomicU64::new(0));
    let send = {
        let sent = sent.clone();
        async move {
            writer.write_all(head.as_bytes()).await?;
            writer.write_all(part_head.as_bytes()).await?;
            // An MP4 header, then zeros.
            let mut chunk = vec![0u8; 256 * 1024];
            chunk[..16].copy_from_slice(b"\0\0\0\x18ftypisom\0\0\x02\0");
            let mut left = file_bytes;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                writer.write_all(&chunk[..n]).await?;
                sent.fetch_add(n as u64, Ordering::Relaxed);
                left -= n as u64;
                chunk[..16].fill(0);
            }
            writer.write_all(part_tail.as_bytes()).await?;
            // Keep the connection open until the answer has been read.
            std::future::pending::<()>().await;
            Ok::<(), std::io::Error>(())
        }
    };
    let status = tokio::select! {
        status = read_status(&mut reader) => status?,
        failed = send => {
            // The server closed while we were sending: its answer may still be readable.
            let _ = failed;
            read_status(&mut reader).await?
        }
    };
    Ok((status, sent.load(Ordering::Relaxed)))
}

/// Reads an HTTP response head and returns its status.
async fn read_status(reader: &mut tokio::net::tcp::OwnedReadHalf) -> anyhow::Result<u16> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    while !received.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = reader.read(&mut buffer).await?;
        anyhow::ensure!(n > 0, "the server closed the connection without an answer");
        received.extend_from_slice(&buffer[..n]);
        anyhow::ensure!(received.len() < 64 * 1024, "an endless response head");
    }
    let head = String::from_utf8_lossy(&received);
    head.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no status line in {head:?}"))
}
