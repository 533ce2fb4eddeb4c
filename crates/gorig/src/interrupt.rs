//! Ctrl-C (SIGINT) and SIGTERM while progress is on the terminal: the bars and spinners
//! are cleared, then gorig dies of the same signal as if it had no handler, so a shell
//! loop or `make` sees an interrupted command. Nothing else is needed for the store: an
//! install becomes visible only by its final rename, and the next run sweeps what an
//! interrupted one left. The handler is installed only once something is drawn, so a
//! command that draws nothing keeps the default behaviour, and `exec` resets it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressDrawTarget};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// What is on screen now, cleared when a signal comes.
static DRAWN: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// Bars and spinners on screen now: with none, the cursor is on a line of the output,
/// which an interrupt must leave alone.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// A bar or spinner was drawn.
pub fn drawn() {
    LIVE.fetch_add(1, Ordering::SeqCst);
}

/// A bar or spinner was cleared.
pub fn cleared() {
    let _ = LIVE.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
}

/// Whether the terminal echoes a typed Ctrl-C as `^C` (`ECHO` and `ECHOCTL`).
fn echoes_control_keys() -> bool {
    use rustix::termios::LocalModes;
    rustix::termios::tcgetattr(std::io::stderr()).is_ok_and(|t| {
        t.local_modes
            .contains(LocalModes::ECHO | LocalModes::ECHOCTL)
    })
}

/// Clears `screen` if SIGINT or SIGTERM arrives from now on.
pub fn clear_on_signal(screen: &MultiProgress) {
    if let Ok(mut drawn) = DRAWN.lock() {
        *drawn = Some(screen.clone());
    }
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        // The handler itself only writes to a pipe; the clearing happens on this thread,
        // where taking locks and writing to the terminal are allowed.
        let spawned = std::thread::Builder::new()
            .name("gorig-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    if let Some(screen) = DRAWN.lock().ok().and_then(|mut d| d.take())
                        && LIVE.load(Ordering::SeqCst) > 0
                    {
                        // A SIGINT is taken as typed (telling a `kill -INT` apart needs
                        // signal-hook's C-built siginfo). A frame leaves the cursor past
                        // its last column, so the terminal's `^C` lands on a new row:
                        // give the kernel a moment to echo it, wipe that row and step
                        // back onto the bar.
                        if signal == SIGINT && echoes_control_keys() {
                            std::thread::sleep(Duration::from_millis(30));
                            crate::reporters::queue_progress(b"\r\x1b[2K\x1b[1A");
                        }
                        let _ = screen.clear();
                        screen.set_draw_target(ProgressDrawTarget::hidden());
                        // indicatif leaves the clearing in our buffer until its next frame.
                        let _ = crate::reporters::flush_progress();
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        drop(spawned);
    });
}
