//! A throwaway PKI for TLS tests, made with rcgen: a CA, a server certificate for
//! 127.0.0.1/localhost, and a client certificate for mutual TLS, written as PEM files
//! the way users hand them to gorig (`--ca-file`, `--client-cert`, `--client-key`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// CA, server and client credentials, and their PEM files.
pub struct TestPki {
    /// The CA certificate (PEM) that signed both leaf certificates.
    pub ca_pem: PathBuf,
    /// The client certificate alone, its key alone, and both in one file.
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub client_combined: PathBuf,
    /// A client certificate from another CA, which the server must refuse.
    pub stranger_combined: PathBuf,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: Vec<u8>,
    ca_der: CertificateDer<'static>,
}

fn ca(name: &str) -> (CertificateParams, KeyPair, CertificateDer<'static>, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = params.self_signed(&key).unwrap();
    (params, key, cert.der().clone(), cert.pem())
}

fn leaf(
    names: &[&str],
    purpose: ExtendedKeyUsagePurpose,
    issuer: &Issuer<'_, KeyPair>,
) -> (String, KeyPair, CertificateDer<'static>) {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("client"),
    );
    params.extended_key_usages = vec![purpose];
    let cert = params.signed_by(&key, issuer).unwrap();
    (cert.pem(), key, cert.der().clone())
}

impl TestPki {
    /// Makes the PKI and writes its PEM files into `dir`.
    pub fn new(dir: &Path) -> TestPki {
        std::fs::create_dir_all(dir).unwrap();
        let (ca_params, ca_key, ca_der, ca_pem) = ca("gorig test CA");
        let issuer = Issuer::new(ca_params, ca_key);
        let (_, server_key, server_der) = leaf(
            &["127.0.0.1", "localhost"],
            ExtendedKeyUsagePurpose::ServerAuth,
            &issuer,
        );
        let (client_pem, client_key, _) = leaf(
            &["gorig-client"],
            ExtendedKeyUsagePurpose::ClientAuth,
            &issuer,
        );
        let (stranger_params, stranger_key, _, _) = ca("some other CA");
        let stranger_issuer = Issuer::new(stranger_params, stranger_key);
        let (stranger_pem, stranger_key, _) = leaf(
            &["gorig-client"],
            ExtendedKeyUsagePurpose::ClientAuth,
            &stranger_issuer,
        );

        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let client_key_pem = client_key.serialize_pem();
        TestPki {
            ca_pem: write("ca.pem", &ca_pem),
            client_cert: write("client.pem", &client_pem),
            client_key: write("client.key", &client_key_pem),
            client_combined: write(
                "client-combined.pem",
                &format!("{client_pem}{client_key_pem}"),
            ),
            stranger_combined: write(
                "stranger.pem",
                &format!("{stranger_pem}{}", stranger_key.serialize_pem()),
            ),
            server_chain: vec![server_der],
            server_key: server_key.serialize_der(),
            ca_der,
        }
    }

    /// A rustls server configuration; with `require_client_cert`, only clients with a
    /// certificate from this PKI's CA get through the handshake.
    pub fn server_config(&self, require_client_cert: bool) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if require_client_cert {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.ca_der.clone()).unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key.clone()));
        Arc::new(
            builder
                .with_single_cert(self.server_chain.clone(), key)
                .unwrap(),
        )
    }
}
