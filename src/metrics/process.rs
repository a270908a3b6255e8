//! The process's own figures, read from `/proc/self` at each scrape (Linux; elsewhere
//! they stay at zero).

use std::sync::OnceLock;

use super::Gauges;

/// Clock ticks per second of `/proc/self/stat` times: `USER_HZ`, fixed at 100 in the
/// Linux ABI.
const TICKS_PER_SECOND: f64 = 100.0;

/// When this process began, as near as Roost knows: the first time metrics were made.
static STARTED: OnceLock<f64> = OnceLock::new();

/// Notes the start time (the first call wins).
pub(super) fn note_start() {
    STARTED.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |since| since.as_secs_f64())
    });
}

/// Sets the memory, file descriptor, CPU and start time gauges.
pub(super) fn read(gauges: &Gauges) {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(bytes) = status_kib(&status, "VmRSS:") {
            gauges.resident_memory.set(bytes);
        }
        if let Some(bytes) = status_kib(&status, "VmSize:") {
            gauges.virtual_memory.set(bytes);
        }
    }
    if let Ok(entries) = std::fs::read_dir("/proc/self/fd") {
        gauges.open_fds.set(entries.count() as i64);
    }
    if let Some(seconds) = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| cpu_seconds(&stat))
    {
        gauges.cpu_seconds.set(seconds);
    }
    if let Some(started) = STARTED.get() {
        gauges.start_time.set(*started);
    }
}

/// A `Name:   1234 kB` line of `/proc/self/status`, in bytes.
fn status_kib(status: &str, name: &str) -> Option<i64> {
    let line = status.lines().find(|line| line.starts_with(name))?;
    let kib: i64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    kib.checked_mul(1024)
}

/// User plus system time from `/proc/self/stat` (fields 14 and 15, counted after the
/// parenthesised command name, which may itself hold spaces).
fn cpu_seconds(stat: &str) -> Option<f64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / TICKS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_resident_size_and_cpu_time() {
        let status = "Name:\troost\nVmSize:\t  204800 kB\nVmRSS:\t   35840 kB\n";
        assert_eq!(status_kib(status, "VmRSS:"), Some(35840 * 1024));
        let stat = "4242 (roost (serve)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0";
        assert_eq!(cpu_seconds(stat), Some(3.0));
    }
}
