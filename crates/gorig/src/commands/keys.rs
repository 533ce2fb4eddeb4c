//! `gorig keys list|refresh`, and the keyring every signature check starts from: the
//! embedded Google key, the refreshed copy kept in the store, and the key files an
//! organisation adds with `--keyring` (whose primaries are pinned with Google's).

use std::path::PathBuf;

use gorig_fetch::signature::{
    GO_SIGNING_KEY_FINGERPRINT, KeySummary, Keyring, MAX_KEY_BLOCK_BYTES, format_time,
};
use gorig_fetch::{FetchError, Location, SignatureVerifier};
use serde_json::json;

use crate::app::App;
use crate::cli::KeysCommand;
use crate::failure::{Exit, Failure};

/// Where a refreshed key block is kept, in the store.
pub fn refreshed_path(app: &App) -> PathBuf {
    app.store.home().join("keys/release-keys.asc")
}

/// The organisation's keyrings, read and parsed: their keys are trusted as they are.
fn user_keyrings(app: &App) -> Result<(Keyring, Vec<String>), Failure> {
    let mut ring = Keyring::default();
    let mut pinned = vec![GO_SIGNING_KEY_FINGERPRINT.to_string()];
    for path in &app.settings.keyrings {
        let bytes = std::fs::read(path).map_err(|e| {
            Failure::new(Exit::Usage, e)
                .context(format!("could not read the keyring {}", path.display()))
                .hint("--keyring / GORIG_KEYRING name OpenPGP public key files (gpg --export --armor KEYID)")
        })?;
        let fingerprints = ring
            .add_trusted_file(&bytes, &format!("keyring {}", path.display()))
            .map_err(|e| Failure::new(Exit::Usage, e))?;
        pinned.extend(fingerprints);
    }
    Ok((ring, pinned))
}

/// The keyring signatures are checked against.
pub fn load(app: &App) -> Result<Keyring, Failure> {
    let (user, pinned) = user_keyrings(app)?;
    let stored = refreshed_path(app);
    let mut refreshed = None;
    if let Ok(bytes) = std::fs::read(&stored) {
        let mut ring = Keyring::default();
        match ring.add_pinned(&bytes, &format!("refreshed {}", stored.display()), &pinned) {
            Ok(_) => refreshed = Some(ring),
            Err(e) => app.printer.warn(format!(
                "ignoring the stored keys: {e}; run `gorig keys refresh`"
            )),
        }
    }
    assemble(refreshed, user)
}

/// The embedded key, then refreshed keys, then the organisation's.
fn assemble(refreshed: Option<Keyring>, user: Keyring) -> Result<Keyring, Failure> {
    let mut ring = Keyring::embedded().map_err(|e| Failure::new(Exit::Internal, e))?;
    if let Some(refreshed) = refreshed {
        ring.extend(refreshed);
    }
    ring.extend(user);
    Ok(ring)
}

/// Fetches the key block, keeps the pinned keys, stores them; returns the whole keyring.
pub fn refresh(app: &App, url: Option<&str>) -> Result<(Keyring, usize), FetchError> {
    let url = url.unwrap_or(&app.settings.key_url);
    let location = Location::parse(url)?;
    let client = app
        .client()
        .map_err(|f| FetchError::KeyRefresh(f.summary()))?;
    let bytes = client.read_small(&location, MAX_KEY_BLOCK_BYTES, "a key block")?;
    let (user, pinned) = user_keyrings(app).map_err(|f| FetchError::KeyRefresh(f.summary()))?;
    let mut fetched = Keyring::default();
    let kept = fetched
        .add_pinned(&bytes, &format!("refreshed from {location}"), &pinned)
        .map_err(|e| FetchError::KeyRefresh(e.to_string()))?;
    let armored = fetched
        .to_armored()
        .map_err(|e| FetchError::KeyRefresh(e.to_string()))?;
    let path = refreshed_path(app);
    gorig_fs::write_atomic(&path, armored.as_bytes())
        .map_err(|e| FetchError::KeyRefresh(format!("could not store {}: {e}", path.display())))?;
    let ring = assemble(Some(fetched), user).map_err(|f| FetchError::KeyRefresh(f.summary()))?;
    Ok((ring, kept))
}

/// The verifier `install` uses: refreshes once when a signature names an unknown subkey
/// (not offline). `None` when the user turned signature checks off, with a warning.
pub fn verifier<'a>(
    app: &'a App,
    refresher: &'a gorig_fetch::KeyRefresher<'a>,
) -> Result<Option<SignatureVerifier<'a>>, Failure> {
    if !app.settings.verify_signature {
        app.printer.alarm(
            "OpenPGP signature checks are OFF (--no-verify-signature / verify_signature = false): only the SHA-256 from the index protects this install",
        );
        return Ok(None);
    }
    let verifier = SignatureVerifier::new(load(app)?, Some(app.settings.signature_base.clone()));
    Ok(Some(if app.settings.offline {
        verifier
    } else {
        verifier.with_refresh(refresher)
    }))
}

pub fn run(app: &App, command: &KeysCommand) -> Result<(), Failure> {
    match command {
        KeysCommand::List { .. } => list(app),
        KeysCommand::Refresh { url, .. } => {
            if app.settings.offline {
                return Err(Failure::msg(
                    Exit::Usage,
                    "keys refresh needs the network, and --offline forbids it",
                ));
            }
            let url = url.as_deref();
            let (ring, kept) = refresh(app, url)
                .map_err(|e| Failure::from(e).context("could not refresh the release keys"))?;
            let shown = url.unwrap_or(&app.settings.key_url);
            if app.printer.json {
                app.printer.json_line(&json!({
                    "schema_version": 1,
                    "kind": "keys-refreshed",
                    "url": gorig_fetch::redact(shown),
                    "kept": kept,
                    "stored": refreshed_path(app),
                    "keys": ring.summaries().iter().map(summary_json).collect::<Vec<_>>(),
                }));
            } else {
                app.printer.out(format!(
                    "kept {kept} pinned key(s) from {} in {}",
                    gorig_fetch::redact(shown),
                    refreshed_path(app).display()
                ));
            }
            Ok(())
        }
    }
}

fn list(app: &App) -> Result<(), Failure> {
    let ring = load(app)?;
    let summaries = ring.summaries();
    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "kind": "keys",
            "pinned": ring.primary_fingerprints(),
            "keys": summaries.iter().map(summary_json).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    for key in &summaries {
        app.printer.out(format!(
            "{}  {}{}",
            key.fingerprint,
            key.user_ids.first().map_or("", String::as_str),
            if key.revoked { "  [REVOKED]" } else { "" }
        ));
        app.printer.out(format!("    from {}", key.origin));
        for sub in &key.subkeys {
            let state = if sub.revoked {
                "revoked".to_string()
            } else if !sub.bound {
                "not bound".to_string()
            } else {
                match sub.expires {
                    Some(t) if t <= gorig_fetch::signature::now_secs() => {
                        format!(
                            "expired {} (still verifies what it signed before)",
                            &format_time(t)[..10]
                        )
                    }
                    Some(t) => format!("expires {}", &format_time(t)[..10]),
                    None => "no expiry".to_string(),
                }
            };
            app.printer.out(format!(
                "    sub {}  created {}  {}{}",
                sub.key_id,
                &format_time(sub.created)[..10],
                state,
                if sub.can_sign {
                    ""
                } else {
                    "  (not for signing)"
                }
            ));
        }
    }
    Ok(())
}

fn summary_json(key: &KeySummary) -> serde_json::Value {
    json!({
        "fingerprint": key.fingerprint,
        "origin": key.origin,
        "user_ids": key.user_ids,
        "created": format_time(key.created),
        "revoked": key.revoked,
        "subkeys": key.subkeys.iter().map(|s| json!({
            "fingerprint": s.fingerprint,
            "key_id": s.key_id,
            "created": format_time(s.created),
            "expires": s.expires.map(format_time),
            "can_sign": s.can_sign,
            "bound": s.bound,
            "revoked": s.revoked,
        })).collect::<Vec<_>>(),
    })
}
