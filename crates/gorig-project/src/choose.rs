//! Answering a pin from the installed versions and the default, by Go's rules (with our
//! two documented differences). Pure.

use gorig_version::{GoVersion, VersionRequest};

use crate::{Pin, Requirement};

/// The toolchain chosen for a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Run this installed version.
    Use { version: GoVersion, reason: String },
    /// The pin names a version that is not installed; `install` is what to install.
    Missing {
        install: VersionRequest,
        reason: String,
    },
    /// No pin (or one that defers to the default) and no default.
    Nothing { reason: Option<String> },
}

/// Answers `pin` from what is installed, or the default when there is no pin or the pin
/// defers to it.
pub fn choose(pin: Option<&Pin>, installed: &[GoVersion], default: Option<GoVersion>) -> Choice {
    let the_default = |reason: String| match &default {
        Some(version) => Choice::Use {
            version: version.clone(),
            reason,
        },
        None => Choice::Nothing {
            reason: pin.map(|p| p.to_string()),
        },
    };
    let Some(pin) = pin else {
        return the_default("the default (gorig use)".to_string());
    };
    match &pin.requirement {
        Requirement::Default => the_default(format!("{pin}: the default")),
        Requirement::Request(request) => match request.select(installed, true) {
            Some(version) => Choice::Use {
                version: version.clone(),
                reason: pin.to_string(),
            },
            None => Choice::Missing {
                install: request.clone(),
                reason: pin.to_string(),
            },
        },
        Requirement::Toolchain(version) => {
            if installed.contains(version) {
                Choice::Use {
                    version: version.clone(),
                    reason: pin.to_string(),
                }
            } else {
                Choice::Missing {
                    install: VersionRequest::Exact(version.clone()),
                    reason: pin.to_string(),
                }
            }
        }
        Requirement::AtLeast(minimum) => {
            if let Some(version) = default.as_ref().filter(|d| *d >= minimum) {
                return Choice::Use {
                    version: version.clone(),
                    reason: format!("{pin} (>= {minimum}): the default"),
                };
            }
            let newest = installed
                .iter()
                .filter(|v| *v >= minimum && (v.is_stable() || minimum.is_prerelease()))
                .max();
            match newest {
                Some(version) => Choice::Use {
                    version: version.clone(),
                    reason: format!("{pin} (>= {minimum}): the newest installed"),
                },
                None => Choice::Missing {
                    install: VersionRequest::Exact(minimum.first_release()),
                    reason: format!("{pin} (>= {minimum})"),
                },
            }
        }
    }
}
