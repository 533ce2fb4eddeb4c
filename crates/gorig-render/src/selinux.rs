//! `gorig selinux`: what a Go service needs from SELinux. Pure: it renders the labelling
//! commands, a policy module for the service's own domain, and the rules that audit
//! log denials ask for.
//!
//! Without a module the service runs as RHEL's `unconfined_service_t` (what systemd
//! starts from a `bin_t` program); the commands give its files the standard labels and
//! its port a type confined web domains may bind. With a module it gets a domain of its
//! own, `NAME_t`, entered from systemd through `NAME_exec_t`, with its port
//! (`NAME_port_t`) and state (`NAME_var_lib_t`), and only what a Go program does at
//! start and while serving: its threads and signals, the files Go's resolver, TLS roots,
//! time zones and container-aware GOMAXPROCS read, TCP and UDP sockets, its own port.
//! The module is written in the kernel policy language that `checkmodule -M -m` builds
//! (no refpolicy macros, so no `selinux-policy-devel` is needed); types are tied to the
//! base policy's attributes (`domain`, `file_type`, `exec_type`, `port_type`) so the
//! administrator's tools may relabel them. Every statement has a comment saying why.
//!
//! [`parse_avcs`] reads `type=AVC` records; [`refine`] adds `allow` rules for the
//! service's own domain only (denials of other domains are reported, not allowed), and
//! the types and permissions they name to the `require` block.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The service to label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confined {
    /// `app`: types are `app_t`, `app_exec_t`, ...
    pub name: String,
    /// The program's absolute path.
    pub exec: String,
    pub ports: Vec<u16>,
    /// Its state directory (`/var/lib/app`).
    pub state_dir: String,
}

/// One command to run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub command: String,
    pub why: String,
}

/// A shell word, quoted when it has to be.
fn sh(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// `path` as a file-context regular expression matching it exactly.
pub fn fc_regex(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        if "\\.^$*+?()[]{}|".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The types of `name`'s domain.
pub fn types(name: &str) -> [String; 4] {
    let base = name.replace(['-', '.', '@', ':'], "_");
    [
        format!("{base}_t"),
        format!("{base}_exec_t"),
        format!("{base}_port_t"),
        format!("{base}_var_lib_t"),
    ]
}

/// The commands that label the service on an SELinux host, idempotent (`-a`, else `-m`
/// when the object is already defined). With `module`, the module is built and loaded
/// first and its own types are used.
pub fn commands(service: &Confined, module: bool) -> Vec<Step> {
    let [_, exec_t, port_t, state_t] = types(&service.name);
    let name = &service.name;
    let mut steps = Vec::new();
    if module {
        steps.push(Step {
            command: format!("checkmodule -M -m -o {name}.mod {name}.te"),
            why: "compile the module".into(),
        });
        steps.push(Step {
            command: format!("semodule_package -o {name}.pp -m {name}.mod -f {name}.fc"),
            why: "package it with its file contexts".into(),
        });
        steps.push(Step {
            command: format!("semodule -i {name}.pp"),
            why: "load it (it stays across reboots)".into(),
        });
    }
    let (exec_type, state_type, port_type) = if module {
        (exec_t.as_str(), state_t.as_str(), port_t.as_str())
    } else {
        ("bin_t", "var_lib_t", "http_port_t")
    };
    if !module {
        let exec = sh(&fc_regex(&service.exec));
        steps.push(Step {
            command: format!(
                "semanage fcontext -a -t {exec_type} {exec} 2>/dev/null || semanage fcontext -m -t {exec_type} {exec}"
            ),
            why: "the program is an ordinary program: systemd runs it as unconfined_service_t".into(),
        });
        let state = sh(&format!("{}(/.*)?", fc_regex(&service.state_dir)));
        steps.push(Step {
            command: format!(
                "semanage fcontext -a -t {state_type} {state} 2>/dev/null || semanage fcontext -m -t {state_type} {state}"
            ),
            why: "its state directory".into(),
        });
    }
    for port in &service.ports {
        steps.push(Step {
            command: format!(
                "semanage port -a -t {port_type} -p tcp {port} 2>/dev/null || semanage port -m -t {port_type} -p tcp {port}"
            ),
            why: if module {
                format!("port {port} is the service's own: only {} may bind it", types(name)[0])
            } else {
                format!("port {port} may be bound by confined web domains too (httpd_t and the like)")
            },
        });
    }
    steps.push(Step {
        command: format!("restorecon -v {}", sh(&service.exec)),
        why: "label the program as the policy now says".into(),
    });
    steps.push(Step {
        command: format!("restorecon -R -v {}", sh(&service.state_dir)),
        why: "label its state directory (when it exists)".into(),
    });
    steps
}

/// The kernel policy language statements, with a comment each.
struct Policy {
    text: String,
}

impl Policy {
    fn rule(&mut self, why: &str, rule: &str) {
        let _ = writeln!(self.text, "# {why}\n{rule}");
    }
}

/// The classes and permissions the module uses, as its `require` block names them.
const CLASSES: &[(&str, &[&str])] = &[
    (
        "process",
        &[
            "transition",
            "sigchld",
            "sigkill",
            "signal",
            "signull",
            "getsched",
            "setsched",
            "setrlimit",
            "fork",
            "siginh",
            "rlimitinh",
            "noatsecure",
        ],
    ),
    (
        "file",
        &[
            "entrypoint",
            "execute",
            "map",
            "read",
            "open",
            "getattr",
            "ioctl",
            "lock",
            "create",
            "write",
            "append",
            "unlink",
            "rename",
            "setattr",
        ],
    ),
    (
        "dir",
        &[
            "search",
            "getattr",
            "open",
            "read",
            "write",
            "add_name",
            "remove_name",
            "create",
            "rmdir",
            "setattr",
        ],
    ),
    ("lnk_file", &["read", "getattr"]),
    ("fifo_file", &["read", "write", "getattr"]),
    ("fd", &["use"]),
    ("unix_stream_socket", &["read", "write", "getattr", "ioctl"]),
    (
        "tcp_socket",
        &[
            "create",
            "bind",
            "listen",
            "accept",
            "connect",
            "read",
            "write",
            "getattr",
            "setattr",
            "setopt",
            "getopt",
            "shutdown",
            "name_bind",
            "name_connect",
            "node_bind",
        ],
    ),
    (
        "udp_socket",
        &[
            "create",
            "bind",
            "connect",
            "read",
            "write",
            "getattr",
            "setopt",
            "getopt",
            "shutdown",
            "node_bind",
        ],
    ),
    (
        "netlink_route_socket",
        &["create", "bind", "getattr", "read", "write", "nlmsg_read"],
    ),
    ("capability", &["net_bind_service"]),
];

/// The base policy's types the module refers to.
const BASE_TYPES: &[&str] = &[
    "init_t",
    "syslogd_t",
    "etc_t",
    "net_conf_t",
    "cert_t",
    "locale_t",
    "proc_t",
    "sysctl_t",
    "sysctl_net_t",
    "sysfs_t",
    "cgroup_t",
    "var_lib_t",
    "node_t",
    "dns_port_t",
];

const BASE_ATTRIBUTES: &[&str] = &["domain", "file_type", "exec_type", "port_type"];

const REFINE_BEGIN: &str = "# ---- rules from audit denials (gorig selinux refine) ----";
const REFINE_END: &str = "# ---- end of rules from audit denials ----";

/// The `.te` of the service's own domain.
pub fn module_te(service: &Confined) -> String {
    let [domain, exec_t, port_t, state_t] = types(&service.name);
    let module = types(&service.name)[0].trim_end_matches("_t").to_string();
    let mut p = Policy {
        text: String::new(),
    };
    let _ = writeln!(
        p.text,
        "# {module}.te, written by gorig selinux: a domain of its own for the Go service {}.\n# Build: checkmodule -M -m -o {module}.mod {module}.te && semodule_package -o {module}.pp -m {module}.mod -f {module}.fc\n",
        service.name
    );
    let _ = writeln!(p.text, "module {module} 1.0;\n");
    p.text.push_str(&require_block(
        &BASE_TYPES.iter().map(|t| t.to_string()).collect(),
        &CLASSES
            .iter()
            .map(|(c, perms)| (c.to_string(), perms.iter().map(|p| p.to_string()).collect()))
            .collect(),
    ));
    p.text.push('\n');
    p.rule(
        "the service's domain, a process domain of the base policy",
        &format!("type {domain}, domain;"),
    );
    p.rule(
        "the program: the only way into that domain",
        &format!("type {exec_t}, file_type, exec_type;"),
    );
    p.rule("its port", &format!("type {port_t}, port_type;"));
    p.rule(
        "its state directory and what it writes there",
        &format!("type {state_t}, file_type;"),
    );
    p.rule(
        "services run in the system role",
        &format!("role system_r types {domain};"),
    );
    p.text.push('\n');
    p.rule(
        "systemd runs the program...",
        &format!("allow init_t {exec_t}:file {{ getattr open read execute map }};"),
    );
    p.rule(
        "...and the process enters the service's domain",
        &format!("type_transition init_t {exec_t}:process {domain};"),
    );
    p.rule("the transition itself, and systemd's signals and limits", &format!("allow init_t {domain}:process {{ transition sigchld sigkill signal siginh rlimitinh noatsecure }};"));
    p.rule("systemd reads the service's /proc entries", &format!("allow init_t {domain}:dir {{ search getattr open read }};\nallow init_t {domain}:file {{ read open getattr }};\nallow init_t {domain}:lnk_file read;"));
    p.rule(
        "the program may run as its domain's entry point",
        &format!("allow {domain} {exec_t}:file {{ entrypoint execute map read open getattr }};"),
    );
    p.rule("stdin, stdout and stderr come from systemd and the journal", &format!("allow {domain} init_t:fd use;\nallow {domain} init_t:unix_stream_socket {{ read write getattr ioctl }};\nallow {domain} syslogd_t:unix_stream_socket {{ read write getattr ioctl }};\nallow {domain} init_t:process sigchld;"));
    p.text.push('\n');
    p.rule("Go's threads, timers and signals, its scheduler and its open-file limit", &format!("allow {domain} self:process {{ fork signal signull sigchld getsched setsched setrlimit }};\nallow {domain} self:fifo_file {{ read write getattr }};"));
    p.rule("its own /proc/self (Go reads its cgroup, mounts and limits there)", &format!("allow {domain} self:dir {{ search getattr open read }};\nallow {domain} self:file {{ read open getattr }};\nallow {domain} self:lnk_file {{ read getattr }};"));
    p.rule("/proc and the kernel's settings Go reads (net.core.somaxconn for listen backlogs)", &format!("allow {domain} proc_t:dir search;\nallow {domain} proc_t:file {{ read open getattr }};\nallow {domain} sysctl_t:dir search;\nallow {domain} sysctl_net_t:dir search;\nallow {domain} sysctl_net_t:file {{ read open getattr }};"));
    p.rule("/sys: the huge page size Go reads at start, and cgroupfs for GOMAXPROCS (Go 1.25+)", &format!("allow {domain} sysfs_t:dir {{ search getattr }};\nallow {domain} sysfs_t:file {{ read open getattr }};\nallow {domain} cgroup_t:dir {{ search getattr open read }};\nallow {domain} cgroup_t:file {{ read open getattr }};"));
    p.rule("what Go's resolver, TLS roots and time zones read in /etc and /usr/share", &format!("allow {domain} etc_t:dir {{ search getattr open read }};\nallow {domain} etc_t:file {{ read open getattr map }};\nallow {domain} etc_t:lnk_file read;\nallow {domain} net_conf_t:file {{ read open getattr }};\nallow {domain} cert_t:dir {{ search getattr open read }};\nallow {domain} cert_t:file {{ read open getattr }};\nallow {domain} cert_t:lnk_file read;\nallow {domain} locale_t:dir {{ search getattr open read }};\nallow {domain} locale_t:file {{ read open getattr map }};\nallow {domain} locale_t:lnk_file read;"));
    p.text.push('\n');
    p.rule("TCP and UDP sockets of its own, and the interface list", &format!("allow {domain} self:tcp_socket {{ create bind listen accept connect read write getattr setattr setopt getopt shutdown }};\nallow {domain} self:udp_socket {{ create bind connect read write getattr setopt getopt shutdown }};\nallow {domain} self:netlink_route_socket {{ create bind getattr read write nlmsg_read }};"));
    p.rule("binding on any address", &format!("allow {domain} node_t:tcp_socket node_bind;\nallow {domain} node_t:udp_socket node_bind;"));
    if !service.ports.is_empty() {
        p.rule(
            "its own port, and no other",
            &format!("allow {domain} {port_t}:tcp_socket name_bind;"),
        );
    }
    if service.ports.iter().any(|p| *p < 1024) {
        p.rule(
            "a port below 1024 needs the capability too",
            &format!("allow {domain} self:capability net_bind_service;"),
        );
    }
    p.rule(
        "DNS over TCP (Go's resolver retries truncated answers there)",
        &format!("allow {domain} dns_port_t:tcp_socket name_connect;"),
    );
    p.text.push('\n');
    p.rule("its state directory: /var/lib, then its own files", &format!("allow {domain} var_lib_t:dir {{ search getattr }};\nallow {domain} var_lib_t:lnk_file read;\nallow {domain} {state_t}:dir {{ search getattr open read write add_name remove_name create rmdir setattr }};\nallow {domain} {state_t}:file {{ create open read write append getattr setattr unlink rename lock ioctl map }};"));
    p.text.push('\n');
    let _ = writeln!(p.text, "{REFINE_BEGIN}\n{REFINE_END}");
    p.text
}

fn require_block(types: &BTreeSet<String>, classes: &BTreeMap<String, BTreeSet<String>>) -> String {
    let mut text = String::from("require {\n\trole system_r;\n");
    for attribute in BASE_ATTRIBUTES {
        let _ = writeln!(text, "\tattribute {attribute};");
    }
    for t in types {
        let _ = writeln!(text, "\ttype {t};");
    }
    for (class, perms) in classes {
        let perms: Vec<&str> = perms.iter().map(String::as_str).collect();
        let _ = writeln!(text, "\tclass {class} {{ {} }};", perms.join(" "));
    }
    text.push_str("}\n");
    text
}

/// The `.fc` of the module: the program and the state directory (also where
/// `DynamicUser=yes` keeps it, `/var/lib/private/NAME`).
pub fn module_fc(service: &Confined) -> String {
    let [_, exec_t, _, state_t] = types(&service.name);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{}\t--\tsystem_u:object_r:{exec_t}:s0",
        fc_regex(&service.exec)
    );
    let _ = writeln!(
        text,
        "{}(/.*)?\t\tsystem_u:object_r:{state_t}:s0",
        fc_regex(&service.state_dir)
    );
    if let Some(rest) = service.state_dir.strip_prefix("/var/lib/")
        && !rest.starts_with("private/")
    {
        let _ = writeln!(
            text,
            "{}(/.*)?\t\tsystem_u:object_r:{state_t}:s0",
            fc_regex(&format!("/var/lib/private/{rest}"))
        );
    }
    text
}

/// One AVC denial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avc {
    pub perms: Vec<String>,
    /// The types of the source and target contexts.
    pub source: String,
    pub target: String,
    pub class: String,
    /// `comm=` of the process, when the record has it.
    pub comm: Option<String>,
}

/// The `avc: denied` records of an audit log (`ausearch -m avc --raw`, or the log itself).
pub fn parse_avcs(log: &str) -> Vec<Avc> {
    let mut out = Vec::new();
    for line in log.lines() {
        let Some(at) = line.find("avc:") else {
            continue;
        };
        let rest = &line[at..];
        if !rest.contains("denied") {
            continue;
        }
        let perms = rest
            .split_once('{')
            .and_then(|(_, r)| r.split_once('}'))
            .map(|(p, _)| p.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .unwrap_or_default();
        let field = |key: &str| {
            rest.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .map(|v| v.trim_matches('"').to_string())
        };
        let context_type =
            |ctx: Option<String>| ctx.and_then(|c| c.split(':').nth(2).map(str::to_string));
        let (Some(source), Some(target), Some(class)) = (
            context_type(field("scontext=")),
            context_type(field("tcontext=")),
            field("tclass="),
        ) else {
            continue;
        };
        if perms.is_empty()
            || !valid_name(&source)
            || !valid_name(&target)
            || !valid_name(&class)
            || !perms.iter().all(|p| valid_name(p))
        {
            continue;
        }
        out.push(Avc {
            perms,
            source,
            target,
            class,
            comm: field("comm="),
        });
    }
    out
}

/// A policy identifier: what may safely go into a rule.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What [`refine`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Refined {
    pub te: String,
    /// The rules added.
    pub added: Vec<String>,
    /// Denials of other domains, left alone: `source target:class { perms }`.
    pub other_domains: Vec<String>,
}

/// Adds to `te` (a module [`module_te`] wrote) an `allow` rule for each denial of
/// `domain`, and what they name to its `require` block. Rules already there are not
/// repeated, so refining twice with the same log changes nothing.
pub fn refine(te: &str, domain: &str, avcs: &[Avc]) -> Option<Refined> {
    let begin = te.find(REFINE_BEGIN)?;
    let end = te.find(REFINE_END)?;
    let req_start = te.find("require {")?;
    let req_end = req_start + te[req_start..].find("\n}\n")? + 3;
    // The types and classes required today.
    let mut types: BTreeSet<String> = BTreeSet::new();
    let mut classes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in te[req_start..req_end].lines() {
        let line = line.trim().trim_end_matches(';');
        if let Some(t) = line.strip_prefix("type ") {
            types.insert(t.trim().to_string());
        } else if let Some(c) = line.strip_prefix("class ") {
            let (name, perms) = c.split_once('{').unwrap_or((c, ""));
            classes.entry(name.trim().to_string()).or_default().extend(
                perms
                    .trim_end_matches('}')
                    .split_whitespace()
                    .map(str::to_string),
            );
        }
    }
    let declared: BTreeSet<String> = te
        .lines()
        .filter_map(|l| l.strip_prefix("type "))
        .filter_map(|l| l.split([',', ';']).next())
        .map(|t| t.trim().to_string())
        .collect();
    // Merge denials by (target, class).
    let mut wanted: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut refined = Refined::default();
    for avc in avcs {
        if avc.source != domain {
            let line = format!(
                "{} {}:{} {{ {} }}",
                avc.source,
                avc.target,
                avc.class,
                avc.perms.join(" ")
            );
            if !refined.other_domains.contains(&line) {
                refined.other_domains.push(line);
            }
            continue;
        }
        wanted
            .entry((avc.target.clone(), avc.class.clone()))
            .or_default()
            .extend(avc.perms.iter().cloned());
    }
    let existing = &te[begin..end];
    let mut rules = String::new();
    for ((target, class), perms) in &wanted {
        let target_name = if target == domain {
            "self".to_string()
        } else {
            target.clone()
        };
        let perms: Vec<&str> = perms.iter().map(String::as_str).collect();
        let rule = format!(
            "allow {domain} {target_name}:{class} {{ {} }};",
            perms.join(" ")
        );
        if existing.contains(&rule) {
            continue;
        }
        if target != domain && !declared.contains(target) {
            types.insert(target.clone());
        }
        classes
            .entry(class.clone())
            .or_default()
            .extend(perms.iter().map(|p| p.to_string()));
        let _ = writeln!(rules, "{rule}");
        refined.added.push(rule);
    }
    let mut text = String::new();
    text.push_str(&te[..req_start]);
    text.push_str(&require_block(&types, &classes));
    text.push_str(&te[req_end..end]);
    text.push_str(&rules);
    text.push_str(&te[end..]);
    refined.te = text;
    Some(refined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> Confined {
        Confined {
            name: "app".into(),
            exec: "/opt/app/bin/app".into(),
            ports: vec![9876],
            state_dir: "/var/lib/app".into(),
        }
    }

    #[test]
    fn commands_are_idempotent_and_name_the_right_types() {
        let steps = commands(&app(), false);
        let text: Vec<&str> = steps.iter().map(|s| s.command.as_str()).collect();
        assert!(text.contains(&"semanage port -a -t http_port_t -p tcp 9876 2>/dev/null || semanage port -m -t http_port_t -p tcp 9876"), "{text:#?}");
        assert!(
            text.iter()
                .any(|c| c.starts_with("semanage fcontext -a -t bin_t /opt/app/bin/app ")),
            "{text:#?}"
        );
        assert!(
            text.contains(&"restorecon -v /opt/app/bin/app"),
            "{text:#?}"
        );
        let module = commands(&app(), true);
        assert!(module[0].command.starts_with("checkmodule -M -m"));
        assert!(
            module
                .iter()
                .any(|s| s.command.contains("-t app_port_t -p tcp 9876"))
        );
        assert!(
            !module.iter().any(|s| s.command.contains("fcontext")),
            "the module carries its file contexts"
        );
    }

    #[test]
    fn paths_become_exact_file_context_patterns() {
        assert_eq!(
            fc_regex("/opt/my.app/bin/app+1"),
            "/opt/my\\.app/bin/app\\+1"
        );
        let fc = module_fc(&app());
        assert!(
            fc.contains("/opt/app/bin/app\t--\tsystem_u:object_r:app_exec_t:s0"),
            "{fc}"
        );
        assert!(fc.contains("/var/lib/private/app(/.*)?"), "{fc}");
        assert_eq!(types("my-app.svc")[0], "my_app_svc_t");
    }

    #[test]
    fn every_statement_says_why_and_ports_below_1024_add_the_capability() {
        let te = module_te(&app());
        let lines: Vec<&str> = te.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with("allow ")
                || line.starts_with("type ")
                || line.starts_with("type_transition")
            {
                let comment = lines[..i].iter().rev().find(|l| !l.starts_with("allow "));
                assert!(
                    comment.is_some_and(|c| c.starts_with("# ")),
                    "no reason above {line:?}"
                );
            }
        }
        assert!(!te.contains("net_bind_service;"), "{te}");
        let web = module_te(&Confined {
            ports: vec![443],
            ..app()
        });
        assert!(
            web.contains("allow app_t self:capability net_bind_service;"),
            "{web}"
        );
    }

    const LOG: &str = r#"type=AVC msg=audit(1700000000.123:456): avc:  denied  { name_connect } for  pid=1234 comm="app" dest=5432 scontext=system_u:system_r:app_t:s0 tcontext=system_u:object_r:postgresql_port_t:s0 tclass=tcp_socket permissive=0
type=AVC msg=audit(1700000000.124:457): avc:  denied  { read } for  pid=1234 comm="app" name="app.conf" dev="dm-0" ino=42 scontext=system_u:system_r:app_t:s0 tcontext=system_u:object_r:etc_t:s0 tclass=file permissive=0
type=AVC msg=audit(1700000000.125:458): avc:  denied  { open } for  pid=1234 comm="app" path="/etc/app.conf" dev="dm-0" ino=42 scontext=system_u:system_r:app_t:s0 tcontext=system_u:object_r:etc_t:s0 tclass=file permissive=0
type=AVC msg=audit(1700000000.126:459): avc:  denied  { write } for  pid=99 comm="httpd" scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:var_t:s0 tclass=dir permissive=0
type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=42 success=no exit=-13
"#;

    #[test]
    fn refine_allows_only_the_services_own_denials_and_only_once() {
        let avcs = parse_avcs(LOG);
        assert_eq!(avcs.len(), 4);
        assert_eq!(avcs[0].target, "postgresql_port_t");
        let te = module_te(&app());
        let refined = refine(&te, "app_t", &avcs).expect("our module");
        assert_eq!(
            refined.added,
            [
                "allow app_t etc_t:file { open read };",
                "allow app_t postgresql_port_t:tcp_socket { name_connect };",
            ]
        );
        assert!(
            refined.te.contains("\ttype postgresql_port_t;\n"),
            "{}",
            refined.te
        );
        assert_eq!(refined.other_domains, ["httpd_t var_t:dir { write }"]);
        let again = refine(&refined.te, "app_t", &avcs).expect("our module");
        assert!(again.added.is_empty());
        assert_eq!(again.te, refined.te);
        // Hostile records do not reach the policy.
        let hostile =
            "avc: denied { read } scontext=a:b:app_t:s0 tcontext=a:b:x;allow_t:s0 tclass=file";
        assert!(parse_avcs(hostile).is_empty());
    }
}
