//! Landlock for the extracting threads: once restricted, a thread (and every thread it
//! spawns afterwards) may create, write, rename or remove files only beneath the staging
//! directory, whatever an archive or a bug in the extractor asks for. Reads stay open.
//!
//! Best effort by design: kernels before 5.13, or with Landlock off (some distros, some
//! container seccomp profiles), run unsandboxed, and the extractor's own path policy is
//! then the only guard. The outcome is reported, so `install --json` says which it was.

use std::path::Path;

use landlock::{
    ABI, AccessFs, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, path_beneath_rules,
};

/// How the calling thread ended up restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sandbox {
    /// Landlock enforces every write restriction gorig asked for.
    Landlock,
    /// Landlock enforces some of them (an older ABI).
    LandlockPartial,
    /// The kernel offers no Landlock.
    None,
}

impl Sandbox {
    pub fn name(self) -> &'static str {
        match self {
            Sandbox::Landlock => "landlock",
            Sandbox::LandlockPartial => "landlock-partial",
            Sandbox::None => "none",
        }
    }
}

/// Restricts all writes of the calling thread (and threads it spawns later) to beneath
/// `dir`. Irreversible for the thread: call it on a thread made for the job.
pub fn restrict_writes_to(dir: &Path) -> Sandbox {
    // The newest ABI this crate knows; the kernel's own is negotiated down (best effort).
    let abi = ABI::V6;
    let writes = AccessFs::from_write(abi);
    let attempt = || -> Result<RulesetStatus, landlock::RulesetError> {
        let status = Ruleset::default()
            .handle_access(writes)?
            .create()?
            .add_rules(path_beneath_rules([dir], writes))?
            .restrict_self()?;
        Ok(status.ruleset)
    };
    match attempt() {
        Ok(RulesetStatus::FullyEnforced) => Sandbox::Landlock,
        Ok(RulesetStatus::PartiallyEnforced) => Sandbox::LandlockPartial,
        Ok(RulesetStatus::NotEnforced) | Err(_) => Sandbox::None,
    }
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn a_restricted_thread_cannot_write_outside_its_directory() {
        let root = tempfile::tempdir().expect("tempdir");
        let inside = root.path().join("staging");
        let outside = root.path().join("elsewhere");
        std::fs::create_dir(&inside).expect("mkdir");
        std::fs::create_dir(&outside).expect("mkdir");
        let (inside2, outside2) = (inside.clone(), outside.clone());
        let (sandbox, wrote_inside, outside_error, child_error) = std::thread::spawn(move || {
            let sandbox = restrict_writes_to(&inside2);
            let wrote_inside = std::fs::write(inside2.join("ok"), b"x").is_ok();
            let outside_error = std::fs::write(outside2.join("escape"), b"x").err();
            // Threads spawned afterwards inherit the restriction.
            let target = outside2.join("from-child");
            let child_error = std::thread::spawn(move || std::fs::create_dir(target).err())
                .join()
                .expect("child");
            (sandbox, wrote_inside, outside_error, child_error)
        })
        .join()
        .expect("thread");
        if sandbox == Sandbox::None {
            assert!(
                std::env::var_os("GORIG_TEST_NO_LANDLOCK").is_some(),
                "this kernel offers no Landlock, so the sandbox is untested; run on Linux >= 5.13 with Landlock enabled, or set GORIG_TEST_NO_LANDLOCK=1 to accept that"
            );
            return;
        }
        assert!(wrote_inside);
        assert_eq!(
            outside_error.map(|e| e.kind()),
            Some(std::io::ErrorKind::PermissionDenied)
        );
        assert_eq!(
            child_error.map(|e| e.kind()),
            Some(std::io::ErrorKind::PermissionDenied)
        );
        assert!(!outside.join("escape").exists());
        // This thread was never restricted.
        std::fs::write(outside.join("main"), b"x").expect("the caller is unrestricted");
    }
}
