//! Checks of networking (ephemeral ports, backlog, TIME_WAIT), name resolution as Go's
//! resolver sees it, and SELinux.

use super::Verdict;
use crate::{Context, FixKind};

pub fn port_range(ctx: &Context) -> Verdict {
    let Some(text) = ctx.host.sysctl("net.ipv4.ip_local_port_range") else {
        return Verdict::info("ephemeral port range unknown")
            .ev("/proc/sys/net/ipv4/ip_local_port_range", "missing");
    };
    let ports: Vec<u64> = text
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    let (Some(&low), Some(&high)) = (ports.first(), ports.get(1)) else {
        return Verdict::info(format!("ephemeral port range {text} (not parsed)"));
    };
    let size = high.saturating_sub(low) + 1;
    let time_wait = ctx.host.sockstat.map(|s| s.time_wait);
    let mut verdict = if let Some(tw) = time_wait.filter(|tw| *tw * 2 > size) {
        Verdict::fail(format!(
            "{tw} sockets in TIME_WAIT for {size} ephemeral ports"
        ))
    } else if size < 28000 {
        Verdict::warn(format!("only {size} ephemeral ports ({low}-{high})"))
    } else {
        let mut ok = Verdict::ok(format!("{size} ephemeral ports ({low}-{high})"))
            .ev("/proc/sys/net/ipv4/ip_local_port_range", text);
        if let Some(tw) = time_wait {
            ok = ok.ev("/proc/net/sockstat TCP tw", tw.to_string());
        }
        return ok;
    };
    verdict = verdict
        .ev("/proc/sys/net/ipv4/ip_local_port_range", text)
        .why("each outgoing connection holds a port for 60 s in TIME_WAIT after it closes; dial-heavy tests and clients fail with \"connect: cannot assign requested address\"")
        .fix(FixKind::Sysctl, "net.ipv4.ip_local_port_range = 10240 65000");
    if let Some(tw) = time_wait {
        verdict = verdict.ev("/proc/net/sockstat TCP tw", tw.to_string());
    }
    verdict
}

pub fn somaxconn(ctx: &Context) -> Verdict {
    let Some(value) = ctx.host.sysctl_u64("net.core.somaxconn") else {
        return Verdict::info("net.core.somaxconn unknown")
            .ev("/proc/sys/net/core/somaxconn", "missing");
    };
    if value < 1024 {
        return Verdict::warn(format!("net.core.somaxconn = {value}"))
            .ev("/proc/sys/net/core/somaxconn", value.to_string())
            .why("Go's net.Listen uses it as the accept backlog; bursts of connections beyond it are dropped or reset")
            .fix(FixKind::Sysctl, "net.core.somaxconn = 4096")
            .fix(FixKind::Sysctl, "net.ipv4.tcp_max_syn_backlog = 4096");
    }
    Verdict::ok(format!("net.core.somaxconn = {value}"))
        .ev("/proc/sys/net/core/somaxconn", value.to_string())
}

pub fn tw_reuse(ctx: &Context) -> Verdict {
    let Some(value) = ctx.host.sysctl_u64("net.ipv4.tcp_tw_reuse") else {
        return Verdict::info("net.ipv4.tcp_tw_reuse unknown")
            .ev("/proc/sys/net/ipv4/tcp_tw_reuse", "missing");
    };
    match value {
        0 => Verdict::warn("TIME_WAIT ports are never reused (tcp_tw_reuse = 0)")
            .ev("/proc/sys/net/ipv4/tcp_tw_reuse", "0")
            .why("loopback-heavy tests and clients that open many short connections run out of ports; 2 (the kernel default) reuses them on loopback, 1 everywhere")
            .fix(FixKind::Sysctl, "net.ipv4.tcp_tw_reuse = 1"),
        1 => Verdict::ok("TIME_WAIT ports are reused for new outgoing connections (tcp_tw_reuse = 1)")
            .ev("/proc/sys/net/ipv4/tcp_tw_reuse", "1"),
        other => Verdict::ok(format!("TIME_WAIT ports are reused on loopback (tcp_tw_reuse = {other})"))
            .ev("/proc/sys/net/ipv4/tcp_tw_reuse", other.to_string()),
    }
}

pub fn tw_recycle(ctx: &Context) -> Verdict {
    let lines = &ctx.host.sysctl_lines;
    if lines.is_empty() {
        return Verdict::ok("no sysctl file sets the removed net.ipv4.tcp_tw_recycle")
            .ev("/etc/sysctl.conf, sysctl.d", "no tcp_tw_recycle line");
    }
    let mut verdict = Verdict::warn(format!(
        "{} sysctl line(s) set net.ipv4.tcp_tw_recycle, removed in Linux 4.12",
        lines.len()
    ))
    .why("`sysctl --system` reports an error for the line and the settings after it in a hand-run `sysctl -p` are not applied; on old kernels it breaks clients behind NAT");
    for line in lines {
        verdict = verdict
            .ev(
                format!("{}:{}", line.file, line.line),
                format!("{} = {}", line.key, line.value),
            )
            .fix(
                FixKind::Manual,
                format!("delete line {} of {}", line.line, line.file),
            );
    }
    verdict
}

/// nsswitch sources Go's resolver implements itself.
const GO_SOURCES: [&str; 2] = ["files", "dns"];

pub fn resolver(ctx: &Context) -> Verdict {
    let mut reasons: Vec<(String, String)> = Vec::new();
    for name in ["LOCALDOMAIN", "RES_OPTIONS", "HOSTALIASES"] {
        if let Some(value) = ctx.var(name)
            && (name == "LOCALDOMAIN" || !value.is_empty())
        {
            reasons.push((format!("${name}"), value.to_string()));
        }
    }
    if let Some(conf) = &ctx.host.resolv_conf
        && !conf.unknown.is_empty()
    {
        reasons.push((
            "/etc/resolv.conf".to_string(),
            format!("options Go does not know: {}", conf.unknown.join(" ")),
        ));
    }
    let hosts = ctx.host.nsswitch_hosts.clone();
    let mut nss_only: Vec<String> = Vec::new();
    if let Some(sources) = &hosts {
        for source in sources {
            if source.starts_with('[') {
                if source != "[NOTFOUND=return]" {
                    nss_only.push(source.clone());
                }
                continue;
            }
            if !GO_SOURCES.contains(&source.as_str()) {
                nss_only.push(source.clone());
            }
        }
        if !nss_only.is_empty() {
            reasons.push(("/etc/nsswitch.conf hosts".to_string(), sources.join(" ")));
        }
    }
    if let Some(godebug) = ctx.var("GODEBUG").filter(|v| v.contains("netdns=")) {
        return Verdict::ok(format!("resolver forced by GODEBUG={godebug}"))
            .ev("$GODEBUG", godebug);
    }
    if reasons.is_empty() {
        return Verdict::ok("Go's own resolver is used (files and dns only)").ev(
            "/etc/nsswitch.conf hosts",
            hosts
                .map(|h| h.join(" "))
                .unwrap_or_else(|| "no hosts line (Go assumes files dns)".to_string()),
        );
    }
    let only_myhostname =
        nss_only.iter().all(|s| s == "myhostname") && reasons.len() == 1 && !nss_only.is_empty();
    let mut verdict = if only_myhostname {
        Verdict::info(
            "cgo binaries resolve through NSS (myhostname); pure-Go binaries use files and dns only",
        )
    } else {
        Verdict::warn("name resolution differs between cgo and pure-Go binaries here")
    };
    for (source, value) in reasons {
        verdict = verdict.ev(source, value);
    }
    verdict
        .why("these settings make Go hand lookups to the C library when cgo is available (a thread per lookup) while CGO_ENABLED=0 binaries skip them: names served only by systemd-resolved, mDNS or SSSD resolve in one and not the other")
        .fix(FixKind::Env, "GODEBUG=netdns=go (or netdns=cgo) to choose one resolver explicitly")
}

pub fn slow_failure(ctx: &Context) -> Verdict {
    let Some(conf) = &ctx.host.resolv_conf else {
        return Verdict::info("no /etc/resolv.conf").ev("/etc/resolv.conf", "missing");
    };
    let worst = conf.worst_case_secs();
    let text = format!(
        "timeout:{} attempts:{} nameservers:{}",
        conf.timeout_secs,
        conf.attempts,
        conf.nameservers.len().max(1)
    );
    if worst > 15 {
        return Verdict::warn(format!("a lookup with no answering server takes {worst} s to fail"))
            .ev("/etc/resolv.conf", text)
            .why("Go waits timeout × attempts for each nameserver: requests and tests hang that long when DNS is down")
            .fix(FixKind::Manual, "options timeout:2 attempts:2 in /etc/resolv.conf (or the resolver's config that generates it)");
    }
    Verdict::ok(format!("a failing lookup gives up after {worst} s")).ev("/etc/resolv.conf", text)
}

pub fn ndots(ctx: &Context) -> Verdict {
    let Some(conf) = &ctx.host.resolv_conf else {
        return Verdict::info("no /etc/resolv.conf").ev("/etc/resolv.conf", "missing");
    };
    let text = format!(
        "ndots:{} search:{}",
        conf.ndots,
        if conf.search.is_empty() {
            "-".to_string()
        } else {
            conf.search.join(" ")
        }
    );
    if conf.ndots >= 5 && !conf.search.is_empty() {
        return Verdict::warn(format!(
            "ndots:{} with {} search domains: external names are tried {} times before the real query",
            conf.ndots,
            conf.search.len(),
            conf.search.len()
        ))
        .ev("/etc/resolv.conf", text)
        .why("each lookup of api.example.com first queries every search domain (Kubernetes' default), multiplying DNS latency and load")
        .fix(FixKind::Manual, "write external names with a trailing dot (api.example.com.) or set options ndots:2 (pod dnsConfig in Kubernetes)");
    }
    Verdict::ok(format!("ndots:{}", conf.ndots)).ev("/etc/resolv.conf", text)
}

pub fn nameservers(ctx: &Context) -> Verdict {
    let Some(conf) = &ctx.host.resolv_conf else {
        return Verdict::warn("no /etc/resolv.conf: Go's resolver asks 127.0.0.1 and ::1")
            .ev("/etc/resolv.conf", "missing")
            .why("without a nameserver line lookups go to localhost, which fails unless a local resolver runs")
            .fix(FixKind::Manual, "create /etc/resolv.conf with a nameserver line");
    };
    if conf.nameservers.is_empty() {
        return Verdict::warn(
            "no nameserver in /etc/resolv.conf: Go's resolver asks 127.0.0.1 and ::1",
        )
        .ev("/etc/resolv.conf", "no nameserver line")
        .why("lookups go to localhost, which fails unless a local resolver runs")
        .fix(FixKind::Manual, "add a nameserver line to /etc/resolv.conf");
    }
    let list = conf.nameservers.join(" ");
    if conf.nameservers.iter().all(|n| n == "127.0.0.53") {
        return Verdict::ok("nameserver 127.0.0.53 (systemd-resolved's stub)")
            .ev("/etc/resolv.conf", list);
    }
    Verdict::ok(format!("nameservers: {list}")).ev("/etc/resolv.conf", list)
}

pub fn selinux_mode(ctx: &Context) -> Verdict {
    let se = &ctx.host.selinux;
    let configured = se.configured.clone().unwrap_or_else(|| "-".to_string());
    match se.mode.as_str() {
        "enforcing" => Verdict::info("SELinux is enforcing")
            .ev("/sys/fs/selinux/enforce", "1")
            .ev("/etc/selinux/config SELINUX", configured)
            .why("a Go service binary under /home or /tmp gets a label systemd may not execute, and a confined service may bind only its policy's ports; denials show in the audit log")
            .fix(FixKind::Command, "restorecon -Rv /opt/<service>")
            .fix(FixKind::Command, "ausearch -m avc -ts recent"),
        "permissive" => Verdict::info("SELinux is permissive (denials are logged, not enforced)")
            .ev("/sys/fs/selinux/enforce", "0")
            .ev("/etc/selinux/config SELINUX", configured),
        _ => Verdict::ok("SELinux is not active").ev("/sys/fs/selinux/enforce", "missing"),
    }
}

pub fn selinux_booleans(ctx: &Context) -> Verdict {
    let se = &ctx.host.selinux;
    if se.mode != "enforcing" {
        return Verdict::ok("SELinux booleans do not apply (not enforcing)");
    }
    let on = |name: &str| se.booleans.get(name).copied();
    let mut notes = Vec::new();
    if on("deny_execmem") == Some(true) {
        notes.push("deny_execmem is on: cgo libraries or JITs that map writable+executable memory are denied");
    }
    if on("httpd_can_network_connect") == Some(false) {
        notes.push(
            "httpd_can_network_connect is off: a Go service confined as httpd_t cannot dial out",
        );
    }
    let mut verdict = if notes.is_empty() {
        Verdict::ok("no SELinux boolean blocks a typical Go service")
    } else {
        Verdict::info(notes.join("; "))
            .why("services started by systemd from their own domain are affected; unconfined_service_t is not")
            .fix(FixKind::Command, "setsebool -P httpd_can_network_connect on   # only for services confined as httpd_t")
    };
    for (name, value) in &se.booleans {
        verdict = verdict.ev(
            format!("/sys/fs/selinux/booleans/{name}"),
            if *value { "on" } else { "off" },
        );
    }
    verdict
}
