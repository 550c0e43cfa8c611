//! The pages that need no session: "forgot password" (the same words whether or
//! not the address is someone's) and a one-time link's page, where an invited or
//! reset person sets a password. Also the context such pages are served with
//! ([`Open`]) and the small view shapes the account pages share.
use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::Path;
use poem::{Body, Response, handler};
use serde::Serialize;

use super::{Form, Open, Page, field_errors, render, vietnamese};
use crate::error::AppError;
use crate::services::accounts;

/// The same words whether or not the address belongs to someone.
const SENT: &str = "Nếu tên đăng nhập hoặc địa chỉ này thuộc một tài khoản có e-mail, thư hướng dẫn đặt lại mật khẩu đã được gửi tới địa chỉ của tài khoản đó. Liên kết trong thư dùng được một lần, trong 60 phút.";

/// A form's field errors (field → what is wrong), as the templates show them.
pub(super) type Errors = BTreeMap<String, String>;

/// A form's values on its page: the record as stored, or what was typed into a
/// form that failed (put back as it was sent).
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum Values<T> {
    /// The record as stored.
    Stored(T),
    /// The values of the failed form ([`Form::values`]).
    Typed(BTreeMap<String, String>),
}

/// A page of a link that no longer works (used, expired, or setup already done).
#[derive(Serialize)]
pub(super) struct Gone<'a> {
    /// Why, in Vietnamese.
    pub gone: &'a str,
}

/// The "forgot password" page.
#[derive(Serialize, Default)]
struct ForgotView<'a> {
    sent: Option<&'static str>,
    values: ForgotValues<'a>,
    errors: Option<Errors>,
}

/// What the "forgot password" form shows back.
#[derive(Serialize, Default)]
struct ForgotValues<'a> {
    address: Option<&'a str>,
}

/// `GET /forgot`.
#[handler]
pub(crate) fn forgot_page() -> Response {
    render("forgot.html", StatusCode::OK, ForgotView::default())
}

/// `POST /forgot`: mails a reset link when the address is someone's.
#[handler]
pub(crate) async fn forgot(o: Open, body: Body) -> Page {
    let f = Form::read(body).await;
    let address = f.get("address");
    match accounts::forgot_password(&o.state.db, o.now(), &o.state.public_url, &address, Some(o.addr.clone())).await {
        Ok(()) => Ok(render("forgot.html", StatusCode::OK, ForgotView { sent: Some(SENT), ..Default::default() })),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let values = ForgotValues { address: Some(&address) };
                let view = ForgotView { sent: None, values, errors: Some(errors) };
                Ok(render("forgot.html", StatusCode::UNPROCESSABLE_ENTITY, view))
            }
            None => Err(e.into()),
        },
    }
}

/// A one-time link's page.
#[derive(Serialize)]
struct PasswordView<'a> {
    link: LinkView<'a>,
    secret: &'a str,
    errors: Option<Errors>,
}

/// Whose link it is and until when it works.
#[derive(Serialize)]
struct LinkView<'a> {
    name: &'a str,
    username: &'a str,
    invite: bool,
    until: String,
}

impl<'a> LinkView<'a> {
    /// The holder of a link as its page names them.
    fn of(h: &'a accounts::LinkHolder) -> LinkView<'a> {
        let until = h.expires_at.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"));
        LinkView {
            name: &h.name,
            username: &h.username,
            invite: h.purpose == accounts::Purpose::Invite,
            until: until.format("%H:%M ngày %d/%m/%Y").to_string(),
        }
    }
}

/// A link that no longer works says so (410); other errors are error pages.
fn link_gone(e: AppError) -> Page {
    match e {
        AppError::Conflict { message, .. } => {
            Ok(render("password.html", StatusCode::GONE, Gone { gone: &vietnamese(&message) }))
        }
        e => Err(e.into()),
    }
}

/// `GET /password/{secret}`.
#[handler]
pub(crate) async fn link_page(o: Open, Path(secret): Path<String>) -> Page {
    match accounts::link_holder(&o.state.db, o.now(), &secret).await {
        Ok(h) => Ok(render(
            "password.html",
            StatusCode::OK,
            PasswordView { link: LinkView::of(&h), secret: &secret, errors: None },
        )),
        Err(e) => link_gone(e),
    }
}

/// The two password boxes must agree before anything is sent.
pub(super) fn repeat_error(password: &str, repeat: &str) -> Option<Errors> {
    (password != repeat)
        .then(|| BTreeMap::from([("repeat".to_owned(), "Hai lần nhập mật khẩu không giống nhau".to_owned())]))
}

/// `POST /password/{secret}`: sets the password and sends the person to log in.
#[handler]
pub(crate) async fn link_set(o: Open, Path(secret): Path<String>, body: Body) -> Page {
    let f = Form::read(body).await;
    let (password, repeat) = (f.get("password"), f.get("repeat"));
    let holder = match accounts::link_holder(&o.state.db, o.now(), &secret).await {
        Ok(h) => h,
        Err(e) => return link_gone(e),
    };
    let again = |errors: Errors| {
        let view = PasswordView { link: LinkView::of(&holder), secret: &secret, errors: Some(errors) };
        Ok(render("password.html", StatusCode::UNPROCESSABLE_ENTITY, view))
    };
    if let Some(errors) = repeat_error(&password, &repeat) {
        return again(errors);
    }
    match accounts::use_link(&o.state.db, o.now(), &secret, &password, Some(o.addr.clone())).await {
        Ok(username) => Ok(super::home::to_login("password_set", &username)),
        Err(e @ AppError::Conflict { .. }) => link_gone(e),
        Err(e) => match field_errors(&e) {
            Some(errors) => again(errors),
            None => Err(e.into()),
        },
    }
}
