//! `gorig inspect BIN... [--target T]... [--target-root DIR]... [--recursive]`: parses
//! the targets, calls `gorig_elf::inspect::inspect`, and prints each file's facts and
//! verdicts (or one table row per file for a walked directory), or the JSON report.

use gorig_elf::ElfError;
use gorig_elf::inspect::{InspectError, InspectRequest, Inspection, TargetError, TargetSpec};
use serde_json::json;

use crate::app::App;
use crate::cli::InspectArgs;
use crate::failure::{Exit, Failure};

pub fn run(app: &App, args: &InspectArgs) -> Result<(), Failure> {
    let request = request(args)?;
    let inspection = gorig_elf::inspect::inspect(&request).map_err(|error| {
        let failure = Failure::msg(
            match error {
                InspectError::IsDirectory(_) => Exit::Usage,
                InspectError::NoFiles => Exit::NotFound,
            },
            error.to_string(),
        );
        match &error {
            InspectError::IsDirectory(path) => failure.hint(format!(
                "gorig inspect --recursive {} inspects every ELF file in it",
                path.display()
            )),
            InspectError::NoFiles => failure.hint("give binaries, or a directory with --recursive"),
        }
    })?;
    // Every file that could be read is reported; each one that could not is an error
    // after them, and the exit code is the first error's (the answer is incomplete).
    let unreadable: Vec<Failure> = if args.recursive {
        Vec::new()
    } else {
        inspection
            .errors
            .iter()
            .map(|(path, error)| unreadable(path, error))
            .collect()
    };

    if app.printer.json {
        app.printer.json_line(&json_report(&inspection, args.deps));
    } else if args.recursive {
        app.printer.out(gorig_elf::render::table(&inspection));
        for (path, error) in &inspection.errors {
            app.printer.warn(format!(
                "{}: {}",
                path.display(),
                gorig_fetch::one_line(error)
            ));
        }
    } else {
        let paint = |text: &str, code: &str| app.printer.paint(text, code);
        let text: String = inspection
            .files
            .iter()
            .map(|report| gorig_elf::render::describe(report, args.deps, &paint))
            .collect();
        if !text.is_empty() {
            app.printer.out(text);
        }
    }
    if let Some(first) = unreadable.first() {
        for failure in &unreadable {
            crate::render_text(&app.printer, failure);
        }
        return Err(Failure::silent(first.exit));
    }
    if inspection.any_wont_run() {
        Err(Failure::silent(Exit::WontRun))
    } else {
        Ok(())
    }
}

fn request(args: &InspectArgs) -> Result<InspectRequest, Failure> {
    let uname = gorig_host::uname_machine();
    let mut machine_goarch: Option<String> = None;
    let mut targets = Vec::new();
    for name in &args.targets {
        let spec = TargetSpec::parse(name, || {
            machine_goarch
                .get_or_insert_with(|| gorig_elf::inspect::this_machine_goarch(Some(&uname)))
                .clone()
        })
        .map_err(target_failure)?;
        targets.push(spec);
    }
    for dir in &args.target_roots {
        targets.push(TargetSpec::tree(dir).map_err(target_failure)?);
    }
    Ok(InspectRequest {
        targets,
        paths: args.paths.clone(),
        recursive: args.recursive,
        uname_machine: Some(uname),
    })
}

fn target_failure(error: TargetError) -> Failure {
    let failure = Failure::msg(Exit::Usage, error.to_string());
    match error {
        TargetError::NoSuchTarget { .. } => failure.hint(format!(
            "targets: host, {} (with /ARCH for another architecture, e.g. rhel9/arm64), or --target-root DIR for a mounted image",
            gorig_elf::inspect::profile_names().join(", ")
        )),
        TargetError::UnknownArch { profile, .. } => failure.hint(format!(
            "{} ships {}",
            profile.description,
            profile.arches.join(", ")
        )),
        TargetError::NoRelease { profile, .. } => failure.hint(format!(
            "it ships {}: name one, e.g. --target {}/{}",
            profile.arches.join(", "),
            profile.name,
            profile.arches[0]
        )),
        TargetError::NotADirectory(_) => failure
            .hint("point it at the top of a machine's file tree (holding etc/, lib/, usr/)"),
    }
}

/// The first file that could not be read, when files were named one by one.
fn unreadable(path: &std::path::Path, error: &ElfError) -> Failure {
    let exit = match error {
        ElfError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            Exit::NotFound
        }
        ElfError::Io { .. } => Exit::Filesystem,
        _ => Exit::Usage,
    };
    let failure = match error {
        // Its message names the path; the cause follows as `caused by:`.
        ElfError::Io { path, source } => Failure::new(
            exit,
            ElfError::Io {
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
        ),
        _ => Failure::msg(exit, format!("{}: {error}", path.display())),
    };
    if matches!(error, ElfError::NotElf) {
        failure.hint(
            "gorig inspect reads Linux ELF executables and libraries (a script or archive is not one)",
        )
    } else {
        failure
    }
}

fn json_report(inspection: &Inspection, deps: bool) -> serde_json::Value {
    let files: Vec<_> = inspection
        .files
        .iter()
        .map(|report| {
            let facts = &report.facts;
            let mut value = serde_json::to_value(facts).unwrap_or_default();
            if let Some(object) = value.as_object_mut() {
                object.insert("path".into(), json!(report.path));
                object.insert(
                    "glibc_needed".into(),
                    json!(facts.glibc_needed().map(|(_, name)| name)),
                );
                object.insert("dynamic".into(), json!(facts.is_dynamic()));
                if !deps && let Some(go) = object.get_mut("go").and_then(|g| g.as_object_mut()) {
                    go.remove("deps");
                }
                object.insert("verdicts".into(), json!(report.verdicts));
            }
            value
        })
        .collect();
    let errors: Vec<_> = inspection
        .errors
        .iter()
        .map(|(p, e)| json!({"path": p, "error": gorig_fetch::one_line(e)}))
        .collect();
    json!({
        "schema_version": 2,
        "targets": inspection.targets,
        "files": files,
        "errors": errors,
        "any_wont_run": inspection.any_wont_run(),
    })
}
