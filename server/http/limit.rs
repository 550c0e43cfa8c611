//! A hard cap on every request body, so neither an upload nor a form can fill
//! memory or disk before the handler sees it: a declared length over the cap is
//! refused at once, and a streamed (chunked) body is cut off when it passes the
//! cap. Files (multipart, raw bytes, images) get the upload cap where files are
//! taken; everything else — JSON, forms, previews — the much smaller [`TEXT_CAP`];
//! forms anyone may post, a few KiB and urlencoded only.
//!
//! Those anonymous forms are capped at [`ANONYMOUS_FORM_CAP`] (16 KiB); anything else
//! there gets 415 from the headers alone.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use poem::http::StatusCode;
use poem::{Body, Endpoint, IntoResponse, Request, Response};
use tokio::io::{AsyncRead, ReadBuf};

use super::ErrorBody;

/// Reads at most `left` bytes, then fails and raises `tripped`.
struct Capped<R> {
    inner: R,
    left: u64,
    tripped: Arc<AtomicBool>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Capped<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let n = (buf.filled().len() - before) as u64;
                if n > this.left {
                    this.tripped.store(true, Ordering::SeqCst);
                    return Poll::Ready(Err(std::io::Error::other("request body too large")));
                }
                this.left -= n;
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

/// Largest body that is not a file: JSON, a form, a Markdown preview (1 MiB; the
/// longest text field is far below it).
pub const TEXT_CAP: u64 = 1024 * 1024;

/// Largest form anyone may post without a login (log in, forgot password, first-run
/// setup, set a password from a link): a few fields.
pub const ANONYMOUS_FORM_CAP: u64 = 16 * 1024;

/// The pages whose forms need no login.
fn anonymous_form(path: &str) -> bool {
    path == "/login" || path == "/forgot" || path.starts_with("/setup/") || path.starts_with("/password/")
}

/// The cap for this request: files get `upload_cap` (on the API, and on the one
/// page that takes a file, the import), a form anyone may post
/// [`ANONYMOUS_FORM_CAP`], everything else [`TEXT_CAP`].
pub fn cap_for(req: &Request, upload_cap: u64) -> u64 {
    let path = req.uri().path();
    if anonymous_form(path) {
        return ANONYMOUS_FORM_CAP;
    }
    let ty = req.header("content-type").unwrap_or("").to_ascii_lowercase();
    let file = ty.starts_with("multipart/form-data")
        || ty.starts_with("application/octet-stream")
        || ty.starts_with("application/pdf")
        || ty.starts_with(crate::sheet::XLSX)
        || ty.starts_with("image/");
    let takes_files = path.starts_with("/api/") || path.ends_with("/import");
    if file && takes_files { upload_cap } else { TEXT_CAP }
}

/// A form anyone may post is read only as `application/x-www-form-urlencoded`: a
/// multipart body or any other kind is refused before a byte of it is read.
fn unsupported(req: &Request, page: ErrorPage) -> Option<Response> {
    let path = req.uri().path();
    if req.method() != poem::http::Method::POST || !anonymous_form(path) {
        return None;
    }
    let ty = req.header("content-type").unwrap_or("").to_ascii_lowercase();
    if ty.starts_with("application/x-www-form-urlencoded") {
        return None;
    }
    Some(page(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Biểu mẫu không hợp lệ",
        "Trang này chỉ nhận biểu mẫu gửi từ trình duyệt.",
    ))
}

fn too_large(req_path: &str, max: u64, page: ErrorPage) -> Response {
    let message = format!("Dữ liệu gửi lên vượt quá {max} byte / request body larger than {max} bytes");
    if !req_path.starts_with("/api/") {
        return page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Dữ liệu quá lớn",
            &format!("Nội dung gửi lên vượt quá {} KB.", max / 1024),
        );
    }
    let body = ErrorBody { code: "payload_too_large".into(), message, fields: Default::default(), findings: None };
    poem::web::Json(body).with_status(StatusCode::PAYLOAD_TOO_LARGE).into_response()
}

/// How a refusal looks outside the API: the site's error page (status, title,
/// message), given by the page layer so this layer does not reach up into it.
pub type ErrorPage = fn(StatusCode, &str, &str) -> Response;

/// Wraps an endpoint so no request body may exceed its cap ([`cap_for`]).
pub async fn cap_body<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
    upload_cap: u64,
    page: ErrorPage,
) -> poem::Result<Response> {
    if let Some(refused) = unsupported(&req, page) {
        return Ok(refused);
    }
    let max = cap_for(&req, upload_cap);
    let path = req.uri().path().to_owned();
    let declared = req.header("content-length").and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max) {
        return Ok(too_large(&path, max, page));
    }
    let tripped = Arc::new(AtomicBool::new(false));
    let body = req.take_body().into_async_read();
    req.set_body(Body::from_async_read(Capped { inner: body, left: max, tripped: tripped.clone() }));
    let result = ep.call(req).await;
    if tripped.load(Ordering::SeqCst) {
        return Ok(too_large(&path, max, page));
    }
    result.map(IntoResponse::into_response)
}
