//! Settings: the registry and their resolution live in `gorig_settings`.

pub use gorig_settings::*;
