//! The networks of organisations, through the real binary: HTTPS mirrors with a private
//! CA, mutual TLS, and authenticating proxies (CONNECT and plain), all on loopback with
//! certificates and servers made in the test.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use gorig_test::{MirrorDir, MockServer, Output, ProxyServer, TestContext, TestPki};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

struct World {
    ctx: TestContext,
    mirror: MirrorDir,
    pki: TestPki,
}

fn world() -> World {
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    mirror.add_fake("go1.22.5", &["amd64"]);
    let pki = TestPki::new(&ctx.root().join("pki"));
    ctx.env("GORIG_ARCH", "amd64");
    World { ctx, mirror, pki }
}

impl World {
    fn serve_tls(&mut self, require_client_cert: bool) -> MockServer {
        let server = MockServer::serve_dir_tls(
            self.mirror.path(),
            self.pki.server_config(require_client_cert),
        )
        .with_dynamic_index();
        self.ctx.env("GORIG_MIRROR", server.url());
        server
    }

    fn install(&self, extra: &[&str]) -> Output {
        let mut args = extra.to_vec();
        args.extend(["install", "1.22.5"]);
        self.ctx.run(&args)
    }

    fn installed(&self) -> bool {
        self.ctx
            .gorig_home()
            .join("versions/go1.22.5/bin/go")
            .is_file()
    }
}

#[test]
fn an_https_mirror_with_a_private_ca_needs_that_ca() {
    let mut w = world();
    let server = w.serve_tls(false);
    let refused = w.install(&[]);
    assert_eq!(refused.code, 4, "{refused}");
    assert!(
        refused.stderr.to_lowercase().contains("certificate")
            || refused.stderr.contains("UnknownIssuer"),
        "the TLS failure is named: {refused}"
    );
    assert!(!w.installed());

    let ca = w.pki.ca_pem.display().to_string();
    w.install(&["--ca-file", &ca]).success();
    assert!(w.installed());
    assert!(server.requests().iter().any(|r| r.ends_with(".tar.gz")));

    // SSL_CERT_FILE does the same, as it does for curl and Go.
    w.ctx.run(&["uninstall", "--force", "1.22.5"]).success();
    w.ctx.env("SSL_CERT_FILE", &w.pki.ca_pem);
    w.install(&["--refresh"]).success();
    assert!(w.installed());
}

#[test]
fn mutual_tls_presents_the_client_certificate_and_is_refused_without_it() {
    let mut w = world();
    let server = w.serve_tls(true);
    w.ctx.env("GORIG_CA_FILE", &w.pki.ca_pem);

    let refused = w.install(&[]);
    assert_eq!(refused.code, 4, "no client certificate: {refused}");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r == "TLS handshake failed"),
        "the server refused the handshake: {:?}",
        server.requests()
    );
    assert!(!w.installed());

    let stranger = w.pki.stranger_combined.display().to_string();
    let wrong_ca = w.install(&["--client-cert", &stranger]);
    assert_eq!(
        wrong_ca.code, 4,
        "a certificate from another CA: {wrong_ca}"
    );
    assert!(!w.installed());

    let (cert, key) = (
        w.pki.client_cert.display().to_string(),
        w.pki.client_key.display().to_string(),
    );
    w.install(&["--client-cert", &cert, "--client-key", &key])
        .success();
    assert!(w.installed());
    assert!(server.requests().iter().any(|r| r.ends_with(".tar.gz.asc")));

    // One PEM holding both, from the environment.
    w.ctx.run(&["uninstall", "--force", "1.22.5"]).success();
    w.ctx.env("GORIG_CLIENT_CERT", &w.pki.client_combined);
    w.install(&["--refresh"]).success();
    assert!(w.installed());

    let missing_key = w
        .ctx
        .run(&["--client-cert", &cert, "install", "--force", "1.22.5"]);
    assert_eq!(missing_key.code, 2, "{missing_key}");
    assert!(missing_key.stderr.contains("--client-key"), "{missing_key}");
}

#[test]
fn an_authenticating_proxy_tunnels_https_and_the_password_never_shows() {
    let mut w = world();
    let server = w.serve_tls(false);
    w.ctx.env("GORIG_CA_FILE", &w.pki.ca_pem);
    let proxy = ProxyServer::start("alice", "s3cret-pw");

    w.ctx
        .env("HTTPS_PROXY", proxy.url_with_password("wrong-pw"));
    let refused = w.install(&[]);
    assert_ne!(refused.code, 0, "{refused}");
    for secret in ["wrong-pw", "s3cret-pw"] {
        assert!(
            !refused.stdout.contains(secret) && !refused.stderr.contains(secret),
            "a proxy password leaked: {refused}"
        );
    }
    assert!(proxy.requests().iter().all(|r| !r.authorized));

    w.ctx.env("HTTPS_PROXY", proxy.url_with_credentials());
    let out = w.install(&["--refresh"]);
    out.success();
    assert!(
        !out.stdout.contains("s3cret-pw") && !out.stderr.contains("s3cret-pw"),
        "{out}"
    );
    let port = server
        .url()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .map(String::from);
    let tunnels: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.authorized)
        .collect();
    assert!(!tunnels.is_empty());
    assert!(
        tunnels
            .iter()
            .all(|r| r.request_line
                == format!("CONNECT 127.0.0.1:{}", port.as_deref().unwrap_or(""))),
        "{tunnels:?}"
    );
    assert!(w.installed());
}

#[test]
fn plain_http_goes_through_http_proxy_or_all_proxy_unless_no_proxy_says_otherwise() {
    let mut w = world();
    let server = MockServer::serve_dir(w.mirror.path()).with_dynamic_index();
    w.ctx.env("GORIG_MIRROR", server.url());
    let proxy = ProxyServer::start("bob", "hunter2");

    // HTTPS_PROXY is for https URLs only (curl's rule).
    w.ctx.env("HTTPS_PROXY", proxy.url_with_credentials());
    w.install(&[]).success();
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());

    // ureq tunnels plain http through the proxy with CONNECT too.
    let authority = server
        .url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    w.ctx.unset("HTTPS_PROXY");
    for variable in ["HTTP_PROXY", "ALL_PROXY"] {
        w.ctx.run(&["uninstall", "--force", "1.22.5"]).success();
        let before = proxy.requests().len();
        w.ctx.env(variable, proxy.url_with_credentials());
        let out = w.install(&["--refresh"]);
        out.success();
        assert!(!out.stderr.contains("hunter2") && !out.stdout.contains("hunter2"));
        let through: Vec<_> = proxy.requests()[before..].to_vec();
        assert!(
            through
                .iter()
                .any(|r| r.authorized && r.request_line.contains(&authority)),
            "{variable}: {through:?}"
        );
        w.ctx.unset(variable);
    }
    w.ctx.env("ALL_PROXY", proxy.url_with_credentials());

    w.ctx.run(&["uninstall", "--force", "1.22.5"]).success();
    let before = proxy.requests().len();
    w.ctx.env("NO_PROXY", "localhost,127.0.0.1");
    w.install(&["--refresh"]).success();
    assert_eq!(
        proxy.requests().len(),
        before,
        "NO_PROXY bypasses the proxy"
    );
}
