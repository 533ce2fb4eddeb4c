//! Fuzzes the go.mod parser (Go's `GoModLookup` and modfile's checks of the go and
//! toolchain lines, `gorig_project::parse`); the checks are in `go_file.rs`.
#![no_main]

#[path = "go_file.rs"]
mod go_file;

libfuzzer_sys::fuzz_target!(|data: &[u8]| go_file::check(data, "/p/go.mod", false));
