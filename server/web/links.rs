//! The pages that need no session: "forgot password" (the same words whether or
//! not the address is someone's) and a one-time link's page, where an invited or
//! reset person sets a password.
use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};

use super::{Form, error_page, field_errors, render, vietnamese};
use crate::error::AppError;
use crate::services::{accounts, now};
use crate::state::AppState;

/// The same words whether or not the address belongs to someone.
const SENT: &str = "Nếu tên đăng nhập hoặc địa chỉ này thuộc một tài khoản có e-mail, thư hướng dẫn đặt lại mật khẩu đã được gửi tới địa chỉ của tài khoản đó. Liên kết trong thư dùng được một lần, trong 60 phút.";

#[handler]
pub(crate) fn forgot_page() -> Response {
    render("forgot.html", StatusCode::OK, json!({"values": {}}))
}

#[handler]
pub(crate) async fn forgot(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let f = Form::read(body).await;
    let address = f.get("address");
    let addr = Some(req.remote_addr().to_string());
    match accounts::forgot_password(&state.db, now(), &state.public_url, &address, addr).await {
        Ok(()) => render("forgot.html", StatusCode::OK, json!({"sent": SENT, "values": {}})),
        Err(e) => match field_errors(&e) {
            Some(errors) => render(
                "forgot.html",
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"errors": errors, "values": {"address": address}}),
            ),
            None => error_page(None, &e),
        },
    }
}

fn link_ctx(h: &accounts::LinkHolder) -> Value {
    let until = h.expires_at.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"));
    json!({"name": h.name, "username": h.username, "invite": h.purpose == accounts::Purpose::Invite,
        "until": until.format("%H:%M ngày %d/%m/%Y").to_string()})
}

fn link_gone(e: AppError) -> Response {
    match e {
        AppError::Conflict { message, .. } => {
            render("password.html", StatusCode::GONE, json!({"gone": vietnamese(&message)}))
        }
        e => error_page(None, &e),
    }
}

#[handler]
pub(crate) async fn link_page(state: Data<&AppState>, Path(secret): Path<String>) -> Response {
    match accounts::link_holder(&state.db, now(), &secret).await {
        Ok(h) => render("password.html", StatusCode::OK, json!({"link": link_ctx(&h), "secret": secret})),
        Err(e) => link_gone(e),
    }
}

/// The two password boxes must agree before anything is sent.
pub(super) fn repeat_error(password: &str, repeat: &str) -> Option<BTreeMap<String, String>> {
    (password != repeat)
        .then(|| BTreeMap::from([("repeat".to_owned(), "Hai lần nhập mật khẩu không giống nhau".to_owned())]))
}

#[handler]
pub(crate) async fn link_set(
    state: Data<&AppState>,
    req: &Request,
    Path(secret): Path<String>,
    body: Body,
) -> Response {
    let f = Form::read(body).await;
    let (password, repeat) = (f.get("password"), f.get("repeat"));
    let holder = match accounts::link_holder(&state.db, now(), &secret).await {
        Ok(h) => h,
        Err(e) => return link_gone(e),
    };
    let again = |errors: BTreeMap<String, String>| {
        render(
            "password.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"link": link_ctx(&holder), "secret": secret, "errors": errors}),
        )
    };
    if let Some(errors) = repeat_error(&password, &repeat) {
        return again(errors);
    }
    match accounts::use_link(&state.db, now(), &secret, &password, Some(req.remote_addr().to_string())).await {
        Ok(username) => super::home::to_login("password_set", &username),
        Err(e @ AppError::Conflict { .. }) => link_gone(e),
        Err(e) => match field_errors(&e) {
            Some(errors) => again(errors),
            None => error_page(None, &e),
        },
    }
}
