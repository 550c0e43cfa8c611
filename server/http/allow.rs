//! `405 Method Not Allowed` answers carry an `Allow` header listing the methods
//! the path does take (RFC 9110 §15.5.6): the API's from its OpenAPI document,
//! the pages' from [`crate::web::ROUTES`].

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Request, Response};

/// Path patterns ("/api/v1/tasks/:id") and the methods each takes.
#[derive(Debug, Default)]
pub struct AllowTable(Vec<(Vec<String>, String)>);

impl AllowTable {
    /// The table for the API (from its OpenAPI JSON, served under `prefix`) and the pages.
    pub fn new(openapi_json: &str, prefix: &str, pages: &[(&str, &str)]) -> AllowTable {
        let mut rows = Vec::new();
        if let Ok(spec) = serde_json::from_str::<serde_json::Value>(openapi_json)
            && let Some(paths) = spec["paths"].as_object()
        {
            for (path, ops) in paths {
                let mut methods: Vec<String> =
                    ops.as_object().map(|o| o.keys().map(|m| m.to_ascii_uppercase()).collect()).unwrap_or_default();
                let rank = |m: &String| ["GET", "POST", "PUT", "PATCH", "DELETE"].iter().position(|x| x == m);
                methods.sort_by_key(rank);
                rows.push((segments(&format!("{prefix}{path}")), methods.join(", ")));
            }
        }
        for (path, methods) in pages {
            rows.push((segments(path), (*methods).to_owned()));
        }
        AllowTable(rows)
    }

    /// The methods `path` takes, if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<&str> {
        let got = segments(path);
        self.0
            .iter()
            .find(|(pattern, _)| {
                pattern.len() == got.len()
                    && pattern.iter().zip(&got).all(|(p, g)| p == g || p.starts_with(':') || p.starts_with('{'))
            })
            .map(|(_, m)| m.as_str())
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split('/').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Adds `Allow` to every 405 answer whose path the table knows.
pub async fn add_allow<E: Endpoint>(ep: Arc<E>, req: Request, table: Arc<AllowTable>) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    let mut resp = ep.call(req).await?.into_response();
    if resp.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED
        && let Some(methods) = table.allowed(&path)
        && let Ok(v) = methods.parse()
    {
        resp.headers_mut().insert("allow", v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_ids_and_list_methods() {
        let spec =
            r#"{"paths": {"/tasks/{id}": {"get": {}, "put": {}, "delete": {}}, "/tasks": {"get": {}, "post": {}}}}"#;
        let t = AllowTable::new(spec, "/api/v1", &[("/documents/:id/step", "POST")]);
        assert_eq!(t.allowed("/api/v1/tasks/0190"), Some("GET, PUT, DELETE"));
        assert_eq!(t.allowed("/api/v1/tasks"), Some("GET, POST"));
        assert_eq!(t.allowed("/documents/abc/step"), Some("POST"));
        assert_eq!(t.allowed("/nowhere"), None);
    }
}
