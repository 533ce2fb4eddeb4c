//! `gorig unit --format kubernetes`: the same service as a Deployment whose container
//! follows the unit's rules. Pure.
//!
//! Resources: the CPU limit is the unit's quota, requested in full; the memory limit is
//! `MemoryMax=`, and the memory *request* is 90 % of it, so `GOMEMLIMIT` can come from the
//! downward API (`resourceFieldRef: requests.memory`), with the factor applied, and follows
//! the request when it is changed. `GOMAXPROCS` follows the unit's rule (a literal: the
//! downward API rounds CPU up). The securityContext is the "restricted" Pod Security
//! Standard: non-root, no privilege escalation, every capability dropped, the runtime's
//! seccomp profile, a read-only root with `/tmp` on an emptyDir. A port below 1024 is
//! opened with the namespaced, "safe" sysctl `net.ipv4.ip_unprivileged_port_start`
//! instead of a capability; the ephemeral port range is set the same way. The other
//! network keys `gorig tune` raises are not in Kubernetes' safe set and are named in the
//! notes instead.

use std::fmt::Write;

use crate::unit::{PORT_RANGE_TEXT, Service, resources};

/// A YAML double-quoted string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `1536Mi`, `1Gi`, `1000`: Kubernetes' quantities (1024-based suffixes).
fn quantity(bytes: u64) -> String {
    const MI: u64 = 1 << 20;
    for (unit, size) in [("Gi", 1u64 << 30), ("Mi", MI), ("Ki", 1 << 10)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

/// The Deployment, and notes.
pub fn deployment(service: &Service, image: &str) -> (String, Vec<String>) {
    let name = &service.name;
    let res = resources(service.cpus, service.memory, &service.program);
    let mut notes = Vec::new();
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# {name}: written by gorig unit --format kubernetes, with the unit's rules for Go.\n\
         apiVersion: apps/v1\n\
         kind: Deployment\n\
         metadata:\n  name: {}\n  labels:\n    app.kubernetes.io/name: {}\n\
         spec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {}\n\
         \x20 template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {}\n    spec:",
        quoted(name),
        quoted(name),
        quoted(name),
        quoted(name)
    );
    let _ = writeln!(
        y,
        "      # no API token: a Go service that does not talk to the API needs none"
    );
    let _ = writeln!(y, "      automountServiceAccountToken: false");
    let _ = writeln!(y, "      securityContext:");
    let _ = writeln!(
        y,
        "        # the restricted Pod Security Standard: not root, the runtime's seccomp profile"
    );
    let _ = writeln!(
        y,
        "        runAsNonRoot: true\n        runAsUser: 65532\n        runAsGroup: 65532\n        seccompProfile:\n          type: RuntimeDefault"
    );
    let low = service.ports.iter().copied().filter(|p| *p < 1024).min();
    let networked = !service.ports.is_empty() || service.program.uses_net != Some(false);
    let mut sysctls: Vec<(&str, String)> = Vec::new();
    if networked {
        sysctls.push(("net.ipv4.ip_local_port_range", PORT_RANGE_TEXT.to_string()));
    }
    if let Some(low) = low {
        sysctls.push(("net.ipv4.ip_unprivileged_port_start", low.to_string()));
        notes.push(format!(
            "port {low} is below 1024: the pod lowers net.ipv4.ip_unprivileged_port_start to {low} (a namespaced, safe sysctl) instead of granting NET_BIND_SERVICE"
        ));
    }
    if !sysctls.is_empty() {
        let _ = writeln!(
            y,
            "        # namespaced sysctls of Kubernetes' safe set, for this pod only"
        );
        let _ = writeln!(y, "        sysctls:");
        for (key, value) in &sysctls {
            let _ = writeln!(
                y,
                "          - name: {key}\n            value: {}",
                quoted(value)
            );
        }
    }
    if networked {
        notes.push("net.core.somaxconn, net.ipv4.tcp_max_syn_backlog and net.ipv4.tcp_tw_reuse are not in Kubernetes' safe set: allow them on the kubelet (--allowed-unsafe-sysctls) to add them".into());
    }
    let _ = writeln!(
        y,
        "      containers:\n        - name: {}\n          image: {}",
        quoted(name),
        quoted(image)
    );
    let _ = writeln!(y, "          command: [{}]", quoted(&service.exec));
    if !service.args.is_empty() {
        let args: Vec<String> = service.args.iter().map(|a| quoted(a)).collect();
        let _ = writeln!(y, "          args: [{}]", args.join(", "));
    }
    if !service.ports.is_empty() {
        let _ = writeln!(y, "          ports:");
        for port in &service.ports {
            let _ = writeln!(
                y,
                "            - containerPort: {port}\n              protocol: TCP"
            );
        }
    }
    let mut env: Vec<String> = Vec::new();
    for (key, value) in &service.env {
        env.push(format!(
            "            - name: {}\n              value: {}",
            quoted(key),
            quoted(value)
        ));
    }
    let user_set = |key: &str| service.env.iter().any(|(k, _)| k == key);
    if res.memory_max.is_some() && !user_set("GOMEMLIMIT") {
        env.push(
            "            # the memory request, 90% of the limit: the GC works harder before the OOM killer acts\n            - name: GOMEMLIMIT\n              valueFrom:\n                resourceFieldRef:\n                  resource: requests.memory".into(),
        );
    }
    if let (Some(procs), Some(quota)) = (res.gomaxprocs, res.cpu_quota)
        && !user_set("GOMAXPROCS")
    {
        env.push(format!(
            "            # {}\n            - name: GOMAXPROCS\n              value: {}",
            if quota <= 100 {
                "one CPU or less: Go's own rule would not go below 2 and be throttled".to_string()
            } else {
                "this Go does not size GOMAXPROCS from the CPU limit itself".to_string()
            },
            quoted(&procs.to_string())
        ));
    }
    if !env.is_empty() {
        let _ = writeln!(y, "          env:\n{}", env.join("\n"));
    }
    if res.cpu_quota.is_some() || res.memory_max.is_some() {
        let _ = writeln!(y, "          resources:");
        let cpu = res.cpu_quota.map(|q| format!("{}m", u64::from(q) * 10));
        let mut requests = Vec::new();
        let mut limits = Vec::new();
        if let Some(cpu) = &cpu {
            requests.push(format!("cpu: {}", quoted(cpu)));
            limits.push(format!("cpu: {}", quoted(cpu)));
        }
        if let (Some(max), Some(limit)) = (res.memory_max, res.gomemlimit) {
            requests.push(format!("memory: {}", quoted(&quantity(limit))));
            limits.push(format!("memory: {}", quoted(&quantity(max))));
        }
        let _ = writeln!(y, "            requests:");
        for r in &requests {
            let _ = writeln!(y, "              {r}");
        }
        let _ = writeln!(y, "            limits:");
        for l in &limits {
            let _ = writeln!(y, "              {l}");
        }
    }
    let _ = writeln!(
        y,
        "          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [\"ALL\"]\n          # a writable /tmp on a read-only root\n          volumeMounts:\n            - name: tmp\n              mountPath: /tmp\n      volumes:\n        - name: tmp\n          emptyDir: {{}}"
    );
    notes.push(
        "the pod runs as uid 65532: the image must not need root (distroless :nonroot does this)"
            .into(),
    );
    (y, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::{Account, Program};

    fn service(ports: Vec<u16>, cpus: Option<f64>, memory: Option<u64>, go: (u64, u64)) -> Service {
        Service {
            name: "app".into(),
            exec: "/opt/app/bin/app".into(),
            args: vec!["--listen".into(), ":9876".into()],
            account: Account::Dynamic,
            ports,
            cpus,
            memory,
            env: Vec::new(),
            after: Vec::new(),
            socket: false,
            allow_ip: Vec::new(),
            comments: true,
            systemd: 252,
            program: Program {
                static_binary: true,
                cgo: Some(false),
                go: Some(go),
                container_maxprocs_off: false,
                uses_net: Some(true),
                uses_exec: Some(false),
            },
            user_unit: false,
        }
    }

    #[test]
    fn memory_request_carries_the_factor_and_gomemlimit_follows_it() {
        let (yaml, _) = deployment(
            &service(vec![9876], Some(1.5), Some(1 << 30), (1, 27)),
            "example.com/app:1",
        );
        assert!(yaml.contains("memory: \"921Mi\""), "{yaml}");
        assert!(yaml.contains("memory: \"1Gi\""), "{yaml}");
        assert!(yaml.contains("resource: requests.memory"), "{yaml}");
        assert!(yaml.contains("cpu: \"1500m\""), "{yaml}");
        assert!(
            !yaml.contains("GOMAXPROCS"),
            "Go 1.27 reads the limit: {yaml}"
        );
        let (old, _) = deployment(&service(vec![9876], Some(0.5), None, (1, 22)), "x");
        assert!(
            old.contains("- name: GOMAXPROCS\n              value: \"1\""),
            "{old}"
        );
    }

    #[test]
    fn a_low_port_opens_with_a_safe_sysctl_not_a_capability() {
        let (yaml, notes) = deployment(&service(vec![443], None, None, (1, 27)), "x");
        assert!(
            yaml.contains("net.ipv4.ip_unprivileged_port_start\n            value: \"443\""),
            "{yaml}"
        );
        assert!(
            yaml.contains("drop: [\"ALL\"]") && !yaml.contains("add:"),
            "{yaml}"
        );
        assert!(notes.iter().any(|n| n.contains("below 1024")), "{notes:?}");
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
