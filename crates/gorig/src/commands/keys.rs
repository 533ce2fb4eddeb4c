//! `gorig keys list|refresh`: the keyring every signature check starts from (the embedded
//! Google key, the refreshed copy kept in the store, and the key files an organisation
//! adds with `--keyring`; see `gorig_fetch::KeyStore`).

use gorig_fetch::signature::{KeySummary, format_time};
use serde_json::json;

use crate::app::App;
use crate::cli::KeysCommand;
use crate::failure::{Exit, Failure};

pub fn run(app: &App, command: &KeysCommand) -> Result<(), Failure> {
    match command {
        KeysCommand::List { .. } => list(app),
        KeysCommand::Refresh { url, from, .. } => {
            let from_dir = from.as_ref().map(|dir| {
                format!(
                    "file://{}",
                    dir.join(gorig_install::mirror::KEY_BLOCK).display()
                )
            });
            if app.settings.offline && from_dir.is_none() {
                return Err(Failure::msg(
                    Exit::Usage,
                    "keys refresh needs the network, and --offline forbids it",
                ));
            }
            let url = from_dir.as_deref().or(url.as_deref());
            let reporter = app.stderr_reporter();
            let installer = app.installer(&reporter);
            let keys = installer.keys();
            let (ring, kept) = keys
                .refresh(
                    installer.client()?,
                    url,
                    app.settings.persistence,
                    &reporter,
                )
                .map_err(|e| {
                    let mut failure =
                        Failure::from(e).context("could not refresh the release keys");
                    // Its knobs are the key URL, not mirrors or the archive cache.
                    failure.hints.retain(|h| {
                        h != crate::failure::OFFLINE_HINT && h != crate::failure::NETWORK_HINT
                    });
                    failure.hint(format!(
                        "the keys come from {}: point --url (or GORIG_KEY_URL) at a reachable copy",
                        gorig_fetch::redact(url.unwrap_or(&app.settings.key_url))
                    ))
                })?;
            let shown = url.unwrap_or(&app.settings.key_url);
            if app.printer.json {
                app.printer.json_line(&json!({
                    "schema_version": 1,
                    "kind": "keys-refreshed",
                    "url": gorig_fetch::redact(shown),
                    "kept": kept,
                    "stored": keys.stored,
                    "keys": ring.summaries().iter().map(summary_json).collect::<Vec<_>>(),
                }));
            } else {
                app.printer.out(format!(
                    "kept {kept} pinned {} from {} in {}",
                    if kept == 1 { "key" } else { "keys" },
                    gorig_fetch::redact(shown),
                    keys.stored.display()
                ));
            }
            Ok(())
        }
    }
}

fn list(app: &App) -> Result<(), Failure> {
    let reporter = app.stderr_reporter();
    let installer = app.installer(&reporter);
    let ring = installer.keys().load(&reporter)?;
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
