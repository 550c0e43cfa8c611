//! A hard cap on request bodies, so an upload cannot fill the disk before the
//! handler sees it: a declared length over the cap is refused at once, and a
//! streamed (chunked) body is cut off when it passes the cap.

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

fn too_large(max: u64) -> Response {
    let body = ErrorBody {
        code: "payload_too_large".into(),
        message: format!("Dữ liệu gửi lên vượt quá {max} byte / request body larger than {max} bytes"),
        fields: Default::default(),
    };
    poem::web::Json(body).with_status(StatusCode::PAYLOAD_TOO_LARGE).into_response()
}

/// Wraps an endpoint so no request body may exceed `max` bytes.
pub async fn cap_body<E: Endpoint>(ep: Arc<E>, mut req: Request, max: u64) -> poem::Result<Response> {
    let declared = req.header("content-length").and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max) {
        return Ok(too_large(max));
    }
    let tripped = Arc::new(AtomicBool::new(false));
    let body = req.take_body().into_async_read();
    req.set_body(Body::from_async_read(Capped { inner: body, left: max, tripped: tripped.clone() }));
    let result = ep.call(req).await;
    if tripped.load(Ordering::SeqCst) {
        return Ok(too_large(max));
    }
    result.map(IntoResponse::into_response)
}
