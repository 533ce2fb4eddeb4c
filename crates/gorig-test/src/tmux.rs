//! An interactive shell in a private tmux server, for tests that type into bash, zsh or
//! fish as a user would (prompt hooks, TAB completion): start it, send keys, read the
//! screen. The server is killed when the value is dropped.

use std::path::PathBuf;

use crate::TestContext;

pub struct Tmux<'c> {
    ctx: &'c TestContext,
    socket: PathBuf,
}

impl<'c> Tmux<'c> {
    /// `shell shell_args` in a `width`×`height` window, with the context's environment.
    pub fn start(
        ctx: &'c TestContext,
        shell: &str,
        shell_args: &[&str],
        width: u16,
        height: u16,
    ) -> Self {
        let socket = ctx.root().join(format!("tmux-{shell}.sock"));
        let tmux = Tmux { ctx, socket };
        let (width, height) = (width.to_string(), height.to_string());
        let mut start = vec!["new-session", "-d", "-x", &width, "-y", &height, shell];
        start.extend_from_slice(shell_args);
        tmux.run(&start);
        tmux
    }

    /// Runs `tmux ARGS` against this server; its stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let result = self
            .ctx
            .program("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env("TERM", "xterm")
            .output()
            .expect(
                "tmux runs (install it: apt-get install tmux; scripts/test does where apt exists)",
            );
        assert!(
            result.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&result.stderr)
        );
        String::from_utf8_lossy(&result.stdout).into_owned()
    }

    /// Types `keys` (tmux key names such as `Enter` and `Tab` are keys).
    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// What the window shows now.
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "0"])
    }

    /// The screen once it contains `needle`, or after 20 s, whichever comes first.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(|screen| screen.contains(needle))
    }

    /// The screen once `done` says so of it, or after 20 s, whichever comes first.
    pub fn wait_until(&self, done: impl Fn(&str) -> bool) -> String {
        self.watch_until(std::time::Duration::from_secs(20), |_| {}, done)
    }

    /// Reads the screen every 50 ms, handing each frame to `frame`, until `done` says so
    /// (or `limit` passes); the last frame.
    pub fn watch_until(
        &self,
        limit: std::time::Duration,
        mut frame: impl FnMut(&str),
        done: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let text = self.screen();
            frame(&text);
            if done(&text) || std::time::Instant::now() > deadline {
                return text;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}
