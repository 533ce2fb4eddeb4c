//! The lines progress is drawn as, fitted to the terminal: a download's bar and a running
//! step's spinner with the last lines of its output. Pure functions of what is known so
//! far and the width, so every width is tested; `reporters` redraws them through
//! indicatif. A line never reaches the last column (terminals wrap there), a rate or a
//! time left is shown only once it is measured, and an unknown width is treated as
//! [`UNKNOWN_WIDTH`] columns, narrow enough for any terminal a person reads.

use std::time::Duration;

/// The width assumed when the terminal does not say (a serial console, `stty cols 0`).
pub const UNKNOWN_WIDTH: usize = 40;

/// A rate is shown once a download has run this long: before, it is a guess.
const RATE_AFTER: Duration = Duration::from_secs(1);

/// Lines of a running step's output shown under its spinner.
pub const STEP_TAIL_LINES: usize = 4;

const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

/// What is known about one download when a frame is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Download<'a> {
    pub file: &'a str,
    pub received: u64,
    pub total: Option<u64>,
    pub elapsed: Duration,
}

/// The columns a line may use on a terminal `width` wide (`None`: unknown).
fn usable(width: Option<u16>) -> usize {
    match width {
        Some(width) if width > 0 => usize::from(width) - 1,
        _ => UNKNOWN_WIDTH - 1,
    }
}

/// `(divisor, unit)` that shows `bytes` with one decimal.
fn unit_for(bytes: u64) -> (f64, &'static str) {
    match bytes {
        0..1024 => (1.0, "B"),
        1024..1_048_576 => (1024.0, "KiB"),
        1_048_576..1_073_741_824 => (1_048_576.0, "MiB"),
        _ => (1_073_741_824.0, "GiB"),
    }
}

fn amount(bytes: u64) -> String {
    let (div, unit) = unit_for(bytes);
    if div == 1.0 {
        format!("{bytes} {unit}")
    } else {
        format!("{:.1} {unit}", bytes as f64 / div)
    }
}

/// `12.3/68.1 MiB`: both in the total's unit, so the numbers compare at a glance.
fn amounts(received: u64, total: u64) -> String {
    let (div, unit) = unit_for(total);
    if div == 1.0 {
        format!("{received}/{total} {unit}")
    } else {
        format!(
            "{:.1}/{:.1} {unit}",
            received as f64 / div,
            total as f64 / div
        )
    }
}

fn clock(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3600, (secs / 60) % 60)
    }
}

/// `5.1 MiB/s, 11s left` once the rate is measured; `None` before.
fn speed(download: &Download<'_>) -> Option<String> {
    if download.elapsed < RATE_AFTER || download.received == 0 {
        return None;
    }
    let rate = download.received as f64 / download.elapsed.as_secs_f64();
    let mut text = format!("{}/s", amount(rate as u64));
    if let Some(total) = download.total
        && total > download.received
        && rate > 0.0
    {
        let left = Duration::from_secs_f64((total - download.received) as f64 / rate);
        text.push_str(&format!(", {} left", clock(left)));
    }
    Some(text)
}

/// `go1.22.5` out of `go1.22.5.linux-amd64.tar.gz`: what a narrow line keeps of a name.
fn short_name(file: &str) -> &str {
    file.split_once(".linux-")
        .map_or(file, |(version, _)| version)
}

fn bar(cells: usize, received: u64, total: u64) -> String {
    let inner = cells.saturating_sub(2);
    let filled = if total == 0 {
        inner
    } else {
        ((received.min(total) as u128 * inner as u128) / total as u128) as usize
    };
    let mut text = String::with_capacity(cells);
    text.push('[');
    text.extend(std::iter::repeat_n('=', filled));
    if filled < inner {
        text.push('>');
        text.extend(std::iter::repeat_n(' ', inner - filled - 1));
    }
    text.push(']');
    text
}

/// The longest of `candidates` (each a list of parts joined by spaces) that fits `room`.
fn first_fitting(room: usize, candidates: &[Vec<&str>]) -> Option<String> {
    candidates
        .iter()
        .map(|parts| parts.join(" "))
        .find(|line| line.chars().count() <= room)
}

/// One frame of a download's bar for a terminal `width` columns wide.
pub fn download_line(download: &Download<'_>, width: Option<u16>) -> String {
    let room = usable(width);
    let speed = speed(download);
    let speed = speed.as_deref();
    let name = download.file;
    let short = short_name(name);
    let Some(total) = download.total else {
        // No size: no bar and no time left, just what arrived.
        let got = amount(download.received);
        let mut candidates = Vec::new();
        if let Some(speed) = speed {
            candidates.push(vec![name, &got, speed]);
            candidates.push(vec![short, &got, speed]);
        }
        candidates.push(vec![name, &got]);
        candidates.push(vec![short, &got]);
        candidates.push(vec![&got]);
        return first_fitting(room, &candidates).unwrap_or_else(|| truncate(&got, room));
    };
    let percent = format!(
        "{:>3}%",
        (download.received.min(total) as u128 * 100)
            .checked_div(total as u128)
            .unwrap_or(100)
    );
    let got = amounts(download.received, total);
    // The bar takes what the words leave, between MIN_BAR and MAX_BAR cells.
    const MIN_BAR: usize = 12;
    const MAX_BAR: usize = 42;
    let mut layouts: Vec<Vec<&str>> = Vec::new();
    if let Some(speed) = speed {
        layouts.push(vec![name, "", &got, speed]);
        layouts.push(vec![short, "", &got, speed]);
    }
    layouts.push(vec![name, "", &got]);
    layouts.push(vec![short, "", &got]);
    layouts.push(vec![short, "", &percent]);
    layouts.push(vec!["", &percent]);
    for layout in &layouts {
        let words: usize =
            layout.iter().map(|p| p.chars().count()).sum::<usize>() + layout.len() - 1;
        if words + MIN_BAR <= room {
            let cells = (room - words).min(MAX_BAR);
            let drawn = bar(cells, download.received, total);
            let parts: Vec<&str> = layout
                .iter()
                .map(|p| if p.is_empty() { drawn.as_str() } else { p })
                .collect();
            return parts.join(" ");
        }
    }
    truncate(percent.trim_start(), room)
}

fn truncate(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    if room == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(room - 1).collect();
    out.push('~');
    out
}

/// One frame of a running step: a spinner, the command and its elapsed time, then the
/// last lines of its output (indented), each cut to the width.
pub fn step_lines(
    command: &str,
    elapsed: Duration,
    tail: &[String],
    tick: u64,
    width: Option<u16>,
) -> String {
    let room = usable(width);
    let spinner = SPINNER[(tick % SPINNER.len() as u64) as usize];
    let time = clock(elapsed);
    let head_room = room.saturating_sub(time.len() + 3);
    let mut out = format!("{spinner} {} {time}", truncate(command, head_room));
    out = truncate(&out, room);
    for line in tail.iter().rev().take(STEP_TAIL_LINES).rev() {
        // Tabs and control characters would move the cursor where the redraw does not
        // expect it.
        let clean: String = line
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .filter(|c| !c.is_control())
            .collect();
        out.push('\n');
        out.push_str(&truncate(&format!("    {clean}"), room));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn download(received: u64, total: Option<u64>, secs: u64) -> Download<'static> {
        Download {
            file: "go1.27.3.linux-amd64.tar.gz",
            received,
            total,
            elapsed: Duration::from_secs(secs),
        }
    }

    #[test]
    fn every_frame_fits_every_width() {
        let frames = [
            download(0, Some(71_000_000), 0),
            download(12_000_000, Some(71_000_000), 3),
            download(71_000_000, Some(71_000_000), 9),
            download(5_000, None, 2),
            download(0, Some(0), 0),
            download(3_000_000_000, Some(3_100_000_000), 4000),
        ];
        for width in 0..=300u16 {
            for frame in &frames {
                let line = download_line(frame, Some(width));
                let room = usable(Some(width));
                assert!(
                    line.chars().count() <= room,
                    "{width} columns: {line:?} is {} long",
                    line.chars().count()
                );
                assert!(!line.contains('\n'));
            }
        }
    }

    #[test]
    fn the_first_frame_claims_no_rate_or_time_left() {
        let line = download_line(&download(0, Some(71_000_000), 0), Some(120));
        assert_eq!(line.matches("/s").count(), 0, "{line}");
        assert!(!line.contains("left"), "{line}");
        assert!(line.starts_with("go1.27.3.linux-amd64.tar.gz ["), "{line}");
        assert!(line.ends_with(" 0.0/67.7 MiB"), "{line}");
    }

    #[test]
    fn a_measured_rate_and_time_left_appear_when_there_is_room() {
        let frame = download(12 << 20, Some(72 << 20), 3);
        let wide = download_line(&frame, Some(120));
        assert!(
            wide.ends_with("12.0/72.0 MiB 4.0 MiB/s, 15s left"),
            "{wide}"
        );
        let sixty = download_line(&frame, Some(60));
        assert!(sixty.starts_with("go1.27.3 ["), "{sixty}");
        let forty = download_line(&frame, Some(40));
        assert!(forty.ends_with("] 12.0/72.0 MiB"), "{forty}");
        assert!(forty.starts_with("go1.27.3 ["), "{forty}");
    }

    #[test]
    fn an_unknown_width_draws_a_narrow_line() {
        let line = download_line(&download(12 << 20, Some(72 << 20), 3), None);
        assert!(line.chars().count() < UNKNOWN_WIDTH, "{line}");
        assert_eq!(
            line,
            download_line(&download(12 << 20, Some(72 << 20), 3), Some(0))
        );
    }

    #[test]
    fn a_bar_is_full_only_at_the_end() {
        assert_eq!(bar(12, 0, 100), "[>         ]");
        assert_eq!(bar(12, 50, 100), "[=====>    ]");
        assert_eq!(bar(12, 100, 100), "[==========]");
        assert_eq!(bar(12, 99, 100), "[=========>]");
    }

    #[test]
    fn a_step_shows_its_last_lines_cut_to_the_width() {
        let tail: Vec<String> = (1..=9)
            .map(|i| format!("line {i}\twith a tab and much more text than fits"))
            .collect();
        let frame = step_lines(
            "go test -short ./...",
            Duration::from_secs(75),
            &tail,
            1,
            Some(30),
        );
        let lines: Vec<&str> = frame.lines().collect();
        assert_eq!(lines.len(), 1 + STEP_TAIL_LINES, "{frame}");
        assert_eq!(lines[0], "/ go test -short ./... 1m15s");
        assert!(lines[1].starts_with("    line 6 with"), "{frame}");
        for width in 0..=200u16 {
            let frame = step_lines(
                "go test -short ./...",
                Duration::from_secs(5),
                &tail,
                2,
                Some(width),
            );
            for line in frame.lines() {
                assert!(
                    line.chars().count() <= usable(Some(width)),
                    "{width}: {line:?}"
                );
            }
        }
    }
}
