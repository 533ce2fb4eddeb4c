//! Name resolution and socket facts: resolv.conf(5) as Go's pure resolver reads it,
//! the `hosts` line of nsswitch.conf(5), and the TCP counters of `/proc/net/sockstat`.
//!
//! The resolv.conf parser keeps what Go's `net/dnsconfig_unix.go` keeps (nameservers,
//! search, ndots/timeout/attempts with Go's clamps) and remembers every option Go does not
//! know, because an unknown option makes Go hand lookups to the cgo resolver.

use serde::Serialize;

/// Options Go's resolver understands (net/dnsconfig_unix.go).
const GO_KNOWN_OPTIONS: [&str; 12] = [
    "ndots",
    "timeout",
    "attempts",
    "rotate",
    "single-request",
    "single-request-reopen",
    "use-vc",
    "usevc",
    "tcp",
    "trust-ad",
    "edns0",
    "no-reload",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvConf {
    pub nameservers: Vec<String>,
    pub search: Vec<String>,
    pub ndots: u32,
    pub timeout_secs: u32,
    pub attempts: u32,
    pub rotate: bool,
    /// Options and keywords Go's resolver does not understand.
    pub unknown: Vec<String>,
}

impl ResolvConf {
    pub fn parse(text: &str) -> ResolvConf {
        let mut conf = ResolvConf {
            nameservers: Vec::new(),
            search: Vec::new(),
            ndots: 1,
            timeout_secs: 5,
            attempts: 2,
            rotate: false,
            unknown: Vec::new(),
        };
        for line in text.lines() {
            let line = line.split(['#', ';']).next().unwrap_or("").trim();
            let mut words = line.split_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            match keyword {
                "nameserver" => {
                    if let Some(server) = words.next()
                        && conf.nameservers.len() < 3
                    {
                        conf.nameservers.push(server.to_string());
                    }
                }
                "domain" => {
                    conf.search = words
                        .next()
                        .map(|d| vec![d.to_string()])
                        .unwrap_or_default()
                }
                "search" => conf.search = words.map(str::to_string).collect(),
                "options" => {
                    for option in words {
                        let (name, value) = option.split_once(':').unwrap_or((option, ""));
                        let number = || value.parse::<u32>().ok();
                        match name {
                            "ndots" => conf.ndots = number().unwrap_or(1).min(15),
                            "timeout" => conf.timeout_secs = number().unwrap_or(5).max(1),
                            "attempts" => conf.attempts = number().unwrap_or(2).max(1),
                            "rotate" => conf.rotate = true,
                            known if GO_KNOWN_OPTIONS.contains(&known) => {}
                            _ => conf.unknown.push(option.to_string()),
                        }
                    }
                }
                "lookup" => {}
                other => conf.unknown.push(other.to_string()),
            }
        }
        conf
    }

    /// Worst-case seconds before a lookup fails when no server answers.
    pub fn worst_case_secs(&self) -> u32 {
        self.timeout_secs
            .saturating_mul(self.attempts)
            .saturating_mul(self.nameservers.len().max(1) as u32)
    }
}

/// The sources of the `hosts` database in nsswitch.conf, in order (`files`, `dns`,
/// `resolve`, `myhostname`, ...); criteria like `[!UNAVAIL=return]` are kept as written.
pub fn nsswitch_hosts(text: &str) -> Option<Vec<String>> {
    text.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or("").trim();
        let rest = line.strip_prefix("hosts:")?;
        Some(rest.split_whitespace().map(str::to_string).collect())
    })
}

/// `TCP: inuse N orphan N tw N alloc N mem N` of `/proc/net/sockstat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TcpSockstat {
    pub inuse: u64,
    pub time_wait: u64,
}

pub fn parse_sockstat(text: &str) -> Option<TcpSockstat> {
    let line = text.lines().find(|l| l.starts_with("TCP:"))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let value = |name: &str| -> Option<u64> {
        let at = words.iter().position(|w| *w == name)?;
        words.get(at + 1)?.parse().ok()
    };
    Some(TcpSockstat {
        inuse: value("inuse")?,
        time_wait: value("tw")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_like_go() {
        let conf = ResolvConf::parse(
            "# generated\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch a.svc b.svc\noptions ndots:5 timeout:3 attempts:4 edns0 no-aaaa\n",
        );
        assert_eq!(conf.nameservers.len(), 2);
        assert_eq!(conf.ndots, 5);
        assert_eq!(conf.worst_case_secs(), 24);
        assert_eq!(conf.unknown, vec!["no-aaaa".to_string()]);
        let empty = ResolvConf::parse("");
        assert_eq!((empty.ndots, empty.timeout_secs, empty.attempts), (1, 5, 2));
        assert_eq!(
            nsswitch_hosts(
                "passwd: files\nhosts:          files mdns4_minimal [NOTFOUND=return] dns myhostname\n"
            ),
            Some(
                vec![
                    "files",
                    "mdns4_minimal",
                    "[NOTFOUND=return]",
                    "dns",
                    "myhostname"
                ]
                .into_iter()
                .map(String::from)
                .collect()
            )
        );
        assert_eq!(
            parse_sockstat("sockets: used 300\nTCP: inuse 12 orphan 0 tw 7 alloc 20 mem 3\n"),
            Some(TcpSockstat {
                inuse: 12,
                time_wait: 7
            })
        );
    }
}
