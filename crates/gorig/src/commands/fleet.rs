//! `gorig plan` and `gorig apply`: reads the gorig.yaml (`gorig_fleet::load`), makes the
//! installer the file's mode and sources call for, calls `gorig_install::fleet::plan`
//! and, for apply, `fleet::apply`, and prints the change list (one JSON document with
//! `--json`).

use std::path::{Path, PathBuf};

use gorig_fetch::{Location, Mirror};
use gorig_fleet::plan::Change;
use gorig_fleet::{Desired, Mode};
use gorig_host::HostRoot;
use gorig_host::gather::SystemRunner;
use gorig_install::fleet::{self, Applied, ContractItem, Fleet, FleetError, Plan};
use gorig_install::{Installer, SystemPaths};
use gorig_store::Store;
use serde_json::json;

use crate::app::App;
use crate::cli::FleetArgs;
use crate::failure::{Exit, Failure};
use crate::project;
use crate::render_text;

pub fn run(app: &App, args: &FleetArgs, apply: bool) -> Result<(), Failure> {
    let command = if apply && !args.check {
        "apply"
    } else {
        "plan"
    };
    let loaded = gorig_fleet::load(
        &args.file,
        args.env.as_deref(),
        &|path: &Path| std::fs::read_to_string(path),
        &|name: &str| app.env.get(name).map(String::from),
    )
    .map_err(|e| {
        let failure = Failure::new(Exit::Usage, e);
        if !args.file.exists() {
            failure.hint(
                "write one (docs/gorig.example.yaml shows every key), or name it with -f FILE",
            )
        } else {
            failure
                .hint("docs/gorig.schema.json is the file's JSON Schema; editors check against it")
        }
    })?;
    let desired = &loaded.desired;
    let root = match &args.root {
        Some(dir) if !dir.is_dir() => {
            return Err(Failure::msg(
                Exit::Usage,
                format!("--root {}: not a directory", dir.display()),
            )
            .hint("point --root at the top of a host's file tree (the directory holding etc/)"));
        }
        Some(dir) => HostRoot::new(dir.canonicalize().unwrap_or_else(|_| dir.clone())),
        None => HostRoot::live(),
    };
    let mode = desired.mode.unwrap_or(Mode::User);
    // Inside the root even through the image's own absolute links.
    let system = (mode == Mode::System).then(|| SystemPaths {
        link: root.path_for_write("/usr/local/go"),
        profile: root.path_for_write("/etc/profile.d/gorig.sh"),
    });
    if apply
        && !args.check
        && system.is_some()
        && root.is_live()
        && !rustix::process::geteuid().is_root()
    {
        return Err(Failure::msg(
            Exit::Refused,
            "mode: system manages /usr/local/go, /usr/local/lib/gorig and /etc/profile.d and needs root",
        )
        .hint("run it with sudo, or see what it would do with gorig plan"));
    }

    let reporter = app.stderr_reporter();
    let installer = installer(app, desired, &root, mode, &reporter)?;
    let vars = app.env.to_map();
    let project_env = project::project_env(&app.env);
    let dir = gorig_project::logical_cwd(&project_env);
    let groups: Vec<String> = args
        .group
        .iter()
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty())
        .collect();
    let fleet = Fleet {
        desired,
        root: &root,
        groups: &groups,
        system: system.as_ref(),
        runner: &SystemRunner,
        dir: &dir,
        project_env: &project_env,
        vars: &vars,
    };
    let plan = fleet::plan(&installer, &fleet).map_err(fleet_failure)?;
    let header = Header {
        command,
        file: &args.file,
        env: args.env.as_deref(),
        root: &root,
        mode,
        store: installer.store(),
    };
    if !apply || args.check {
        print_plan(app, &header, &plan);
        let drifted = !plan.steps.is_empty();
        let contract_ok = plan.contract.iter().all(|c| c.ok);
        return match (args.check, drifted, contract_ok) {
            (true, true, _) => Err(Failure::silent(Exit::Drifted)),
            (true, false, false) => Err(Failure::silent(Exit::ContractUnmet)),
            _ => Ok(()),
        };
    }
    let notes = plan.notes.clone();
    if !plan.steps.is_empty() {
        installer.sweep()?;
    }
    let applied = fleet::apply(&installer, &fleet, plan);
    print_applied(app, &header, applied, &notes)
}

/// The installer of the file's mode (system: the store under the root) and sources.
fn installer<'r>(
    app: &App,
    desired: &Desired,
    root: &HostRoot,
    mode: Mode,
    reporter: &'r dyn gorig_fetch::Reporter,
) -> Result<Installer<'r>, Failure> {
    let (mut sources, mut keys, policy) = app.installer_parts();
    let store = match mode {
        Mode::User => app.store.clone(),
        Mode::System => {
            if root.is_live() {
                sources.cache_dir = PathBuf::from("/var/cache/gorig");
            }
            Store::new(root.path_for_write("/usr/local/lib/gorig"))
        }
    };
    keys.stored = store.home().join("keys/release-keys.asc");
    if let Some(declared) = &desired.sources {
        let bad = |key: &str, e: &dyn std::fmt::Display| {
            Failure::msg(Exit::Usage, format!("sources.{key}: {e}"))
        };
        if let Some(mirrors) = &declared.mirrors {
            sources.mirrors = mirrors
                .iter()
                .map(|m| Mirror::parse(m).map_err(|e| bad("mirrors", &e)))
                .collect::<Result<_, _>>()?;
            if declared.index.is_none() {
                sources.index = sources
                    .mirrors
                    .iter()
                    .flat_map(|m| m.index_locations())
                    .collect();
            }
        }
        if let Some(index) = &declared.index {
            sources.index = vec![Location::parse(index).map_err(|e| bad("index", &e))?];
        }
        if let Some(keyrings) = &declared.keyrings {
            keys.keyrings = keyrings.iter().map(PathBuf::from).collect();
        }
        if let Some(proxy) = &declared.proxy {
            sources.client.https_proxy = Some(proxy.clone());
            sources.client.http_proxy = Some(proxy.clone());
        }
        if let Some(ca) = &declared.ca_file {
            sources.client.ca_file = Some(PathBuf::from(ca));
        }
        if let Some(cert) = &declared.client_cert {
            sources.client.client_cert = Some(PathBuf::from(cert));
        }
        if let Some(key) = &declared.client_key {
            sources.client.client_key = Some(PathBuf::from(key));
        }
    }
    Ok(Installer::new(store, sources, keys, policy, reporter))
}

fn fleet_failure(error: FleetError) -> Failure {
    match error {
        FleetError::Install(e) => Failure::from(e),
        FleetError::Fs(e) => Failure::from(gorig_store::StoreError::from(e)),
        FleetError::Invalid(_) | FleetError::Unit { .. } => Failure::new(Exit::Usage, error),
        FleetError::Reload { .. } => Failure::new(Exit::Internal, error),
    }
}

struct Header<'a> {
    command: &'a str,
    file: &'a Path,
    env: Option<&'a str>,
    root: &'a HostRoot,
    mode: Mode,
    store: &'a Store,
}

impl Header<'_> {
    fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        map.insert("schema_version".into(), 1.into());
        map.insert("command".into(), self.command.into());
        map.insert("file".into(), json!(self.file));
        map.insert("env".into(), json!(self.env));
        map.insert("root".into(), json!(self.root.path()));
        map.insert("mode".into(), json!(self.mode));
        map.insert("store".into(), json!(self.store.home()));
        map
    }

    fn describe(&self) -> String {
        let env = self.env.map(|e| format!(", env {e}")).unwrap_or_default();
        let mode = match self.mode {
            Mode::User => "user",
            Mode::System => "system",
        };
        let root = if self.root.is_live() {
            String::new()
        } else {
            format!(" under {}", self.root.path().display())
        };
        format!("{}{env}, {mode} mode{root}", self.file.display())
    }
}

fn contract_json(items: &[ContractItem]) -> serde_json::Value {
    json!(
        items
            .iter()
            .map(|c| json!({"id": c.id, "severity": c.severity, "ok": c.ok, "title": c.title}))
            .collect::<Vec<_>>()
    )
}

fn print_plan(app: &App, header: &Header<'_>, plan: &Plan) {
    let changes = plan.changes();
    if app.printer.json {
        let mut map = header.json();
        map.insert("changed".into(), (!changes.is_empty()).into());
        map.insert("changes".into(), json!(changes));
        map.insert("not_done".into(), json!([]));
        map.insert("failed".into(), serde_json::Value::Null);
        map.insert("contract".into(), contract_json(&plan.contract));
        map.insert(
            "contract_ok".into(),
            plan.contract.iter().all(|c| c.ok).into(),
        );
        map.insert("notes".into(), json!(plan.notes));
        app.printer.json_line(&serde_json::Value::Object(map));
        return;
    }
    let mut text = String::new();
    if changes.is_empty() {
        text.push_str(&format!(
            "{}: the host is as declared; apply changes nothing\n",
            header.describe()
        ));
    } else {
        text.push_str(&format!(
            "{}: {} to change (gorig apply makes {}):\n",
            header.describe(),
            count(changes.len(), "thing", "things"),
            if changes.len() == 1 { "it" } else { "them" },
        ));
        for change in &changes {
            text.push_str(&change_line(change));
            if let Some(patch) = &change.patch {
                for line in patch.lines() {
                    text.push_str(&format!("      {line}\n"));
                }
            }
        }
    }
    text.push_str(&contract_text(&plan.contract, "now"));
    app.printer.out(text);
    for note in &plan.notes {
        app.printer.note(format!("note: {note}"));
    }
}

fn print_applied(
    app: &App,
    header: &Header<'_>,
    mut applied: Applied,
    notes: &[String],
) -> Result<(), Failure> {
    let contract_ok = applied.contract.iter().all(|c| c.ok);
    let (failed_change, failed_error) = match applied.failed.take() {
        Some((change, error)) => (Some(change), Some(error)),
        None => (None, None),
    };
    let failure = failed_error.map(|error| {
        let failure = fleet_failure(error);
        let left = applied.not_done.len();
        if left > 0 {
            failure.hint(format!(
                "that step left its part of the host as it was; {} after it {} not made",
                count(left, "change", "changes"),
                if left == 1 { "was" } else { "were" }
            ))
        } else {
            failure.hint("that step left its part of the host as it was")
        }
    });
    let failure = failure.map(|f| app.situate(f));
    if app.printer.json {
        let mut map = header.json();
        map.insert("changed".into(), (!applied.done.is_empty()).into());
        map.insert("changes".into(), json!(applied.done));
        map.insert("not_done".into(), json!(applied.not_done));
        let failed = match (&failed_change, &failure) {
            (Some(change), Some(f)) => json!({
                "change": change,
                "error": f.chain().join(": "),
                "hints": f.hints,
                "exit_code": f.exit as u8,
            }),
            _ => serde_json::Value::Null,
        };
        map.insert("failed".into(), failed);
        map.insert("contract".into(), contract_json(&applied.contract));
        map.insert("contract_ok".into(), contract_ok.into());
        map.insert("notes".into(), json!(notes));
        app.printer.json_line(&serde_json::Value::Object(map));
    } else {
        let mut text = String::new();
        if applied.done.is_empty() && failed_change.is_none() {
            text.push_str(&format!(
                "{}: the host is as declared; nothing changed\n",
                header.describe()
            ));
        } else {
            text.push_str(&format!(
                "{}: {} made:\n",
                header.describe(),
                count(applied.done.len(), "change", "changes")
            ));
            for change in &applied.done {
                text.push_str(&change_line(change));
            }
            if let Some(change) = &failed_change {
                text.push_str(&format!("  ! failed: {}\n", change.summary));
            }
            for change in &applied.not_done {
                text.push_str(&format!("  - not made: {}\n", change.summary));
            }
        }
        text.push_str(&contract_text(&applied.contract, "after apply"));
        app.printer.out(text);
        for note in notes {
            app.printer.note(format!("note: {note}"));
        }
    }
    if let Some(failure) = failure {
        if app.printer.json {
            render_text(&app.printer, &failure);
            return Err(Failure::silent(failure.exit));
        }
        return Err(failure);
    }
    if !contract_ok {
        let unmet: Vec<&str> = applied
            .contract
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.id.as_str())
            .collect();
        let failure = Failure::msg(
            Exit::ContractUnmet,
            format!("the host's contract is not met: {}", unmet.join(", ")),
        )
        .hint("`gorig doctor` says why and how to fix each");
        if app.printer.json {
            render_text(&app.printer, &failure);
            return Err(Failure::silent(Exit::ContractUnmet));
        }
        return Err(failure);
    }
    Ok(())
}

fn change_line(change: &Change) -> String {
    use gorig_fleet::plan::ChangeKind;
    let mark = match change.kind {
        ChangeKind::Install => "+",
        ChangeKind::Remove => "-",
        _ => "~",
    };
    let target = match change.kind {
        ChangeKind::File | ChangeKind::Unit => format!(": {}", change.target),
        _ => String::new(),
    };
    format!("  {mark} {}{target}\n", change.summary)
}

fn contract_text(items: &[ContractItem], when: &str) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut text = format!("contract ({when}):\n");
    for item in items {
        let severity = item.severity.map_or("not checked", |s| s.name());
        let mark = if item.ok { "ok  " } else { "NOT " };
        text.push_str(&format!(
            "  {mark} {} {severity}: {}\n",
            item.id, item.title
        ));
    }
    text
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
