//! The framework's ceiling for the load script (`tests/load/api.sh`): a bare poem
//! server answering every GET with the same JSON body, of the size the task list
//! answers with, and nothing else (no database, no authentication).
//!
//! Usage: `cargo bench --bench bare_poem -- PORT BYTES` (serves until killed).

use poem::{EndpointExt, Response, Route, Server, get, handler, listener::TcpListener, web::Data};

#[handler]
fn serve_body(Data(b): Data<&Vec<u8>>) -> Response {
    Response::builder().content_type("application/json; charset=utf-8").body(b.clone())
}

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| !a.starts_with("--")).collect();
    let port: u16 = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    let size: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(18_000);
    if port == 0 {
        // `cargo bench` runs every bench without arguments: nothing to serve then.
        return;
    }
    // An array of task-like objects, cut to `size` bytes of valid JSON.
    let item = r#"{"id":"01a2201d-75fa-7329-ad88-fa6842a57822","code":"1.1","text":"Tổ chức triển khai thực hiện nhiệm vụ trọng tâm","targets":[]}"#;
    let mut json = String::from("{\"items\":[");
    while json.len() + item.len() + 2 < size {
        if !json.ends_with('[') {
            json.push(',');
        }
        json.push_str(item);
    }
    json.push_str("]}");
    let app = Route::new().at("/*", get(serve_body)).data(json.into_bytes());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        Server::new(TcpListener::bind(format!("127.0.0.1:{port}"))).run(app).await.expect("serve");
    });
}
