//! Every shell text gorig prints, for every shell, snapshotted (insta), and each checked
//! by the shell that runs it: `bash -n` and `sh -n` parse what is for them.

use std::path::{Path, PathBuf};
use std::process::Command;

use gorig_render::{Hook, PathSetup, Profile, Shell, set_path, set_var, unset_var};

const SHELLS: [Shell; 4] = [Shell::Sh, Shell::Bash, Shell::Zsh, Shell::Fish];

fn parses(program: &str, script: &str) {
    let out = Command::new(program)
        .arg("-n")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("run {program} -n (install it: Debian package {program}): {e}"));
    assert!(
        out.status.success(),
        "{program} -n refuses:\n{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn judge(shell: Shell, script: &str) {
    match shell {
        Shell::Sh => parses("sh", script),
        Shell::Bash => parses("bash", script),
        // zsh and fish are judged where the CLI tests load them (issue 13).
        Shell::Zsh | Shell::Fish => {}
    }
}

#[test]
fn the_prompt_hooks() {
    for shell in SHELLS {
        let text = Hook {
            shell,
            gorig: Path::new("/opt/gorig's/bin/gorig"),
        }
        .render();
        judge(shell, &text);
        insta::assert_snapshot!(format!("hook-{}", gorig_render::shell_name(shell)), text);
    }
}

#[test]
fn the_path_setup_of_gorig_env() {
    for shell in SHELLS {
        let dirs = [
            Path::new("/home/u/.local/share/gorig/current/bin"),
            Path::new("/home/u/go/bin"),
        ];
        let text = PathSetup {
            shell,
            dirs: &dirs,
            goroot: Some(Path::new("/home/u/.local/share/gorig/current")),
        }
        .render();
        judge(shell, &text);
        insta::assert_snapshot!(format!("env-{}", gorig_render::shell_name(shell)), text);
    }
}

#[test]
fn what_hook_env_prints() {
    for shell in SHELLS {
        let entries = vec![
            PathBuf::from("/s/versions/go1.22.5/bin"),
            PathBuf::from("/usr/bin"),
        ];
        let text = format!(
            "{}{}{}",
            set_path(shell, &entries),
            set_var(shell, "GOTOOLCHAIN", "local"),
            unset_var(shell, "_GORIG_WARNED")
        );
        judge(shell, &text);
        insta::assert_snapshot!(
            format!("hook-env-{}", gorig_render::shell_name(shell)),
            text
        );
    }
}

#[test]
fn the_profile_script() {
    let text = Profile {
        system_go_bin: Path::new("/usr/local/go/bin"),
    }
    .render();
    judge(Shell::Sh, &text);
    insta::assert_snapshot!("profile-d", text);
}
