//! Commands on accounts and signing keys.

use std::process::ExitCode;

use nhiemvu::services;
use nhiemvu::state::AppState;

use super::args::KeysCommand;
use super::{Outcome, read, secret};

/// `nhiemvu user add`: an account with a password typed or given in `NHIEMVU_PASSWORD`.
pub async fn user_add(state: &AppState, input: services::users::NewUser) -> Outcome {
    let user = services::users::add_user_with_password(&state.db, input).await?;
    println!("Đã tạo người dùng / user created: {} ({})", user.data.username, user.id);
    Ok(ExitCode::SUCCESS)
}

/// `nhiemvu keys import|list`.
pub async fn keys(state: &AppState, command: KeysCommand) -> Outcome {
    let (db, signing) = (&state.db, &*state.signing);
    let actor = nhiemvu::storage::audit::Actor::system();
    let now = services::now();
    match command {
        KeysCommand::Import { issuer, signer, file } => {
            let bytes = read(&file)?;
            let passphrase = secret("NHIEMVU_P12_PASS", "Mật khẩu tệp khóa / passphrase")?;
            let holder = services::keys::holder_by_name(db, issuer.as_deref(), signer.as_deref()).await?;
            let k = services::keys::import(db, signing, &actor, now, holder, bytes, passphrase).await?;
            println!(
                "Đã nhập khóa / key imported: {} — {} (do {} cấp), hiệu lực đến {} — SHA-256 {}",
                k.id,
                k.subject,
                k.issued_by,
                nhiemvu::signing::iso_vn(k.not_after),
                k.fingerprint
            );
        }
        KeysCommand::List { all } => {
            for k in services::keys::list(db, &actor, now, all).await? {
                let state = if k.active { "đang dùng / in use" } else { "đã thôi / retired" };
                let holder = k.user_id.map(|u| u.to_string()).unwrap_or_else(|| format!("issuer {}", k.issuer_id));
                println!(
                    "{} {} — {} — {} (do {} cấp) — đến {} ({} ngày) — {}",
                    k.id,
                    state,
                    holder,
                    k.subject,
                    k.issued_by,
                    nhiemvu::signing::iso_vn(k.not_after),
                    k.days_left,
                    k.fingerprint
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
