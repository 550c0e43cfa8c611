//! `StrictJson<T>`: a JSON request body held to the types its OpenAPI schema
//! states. poem-openapi reads `false` or `5` into a text field as "false" or
//! "5"; a client that sends the wrong type has a bug, and it should hear so (400
//! naming the field) rather than see its mistake stored. The body is otherwise
//! parsed exactly as `Json<T>` parses it.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use poem::{Request, RequestBody};
use poem_openapi::error::ParseRequestPayloadError;
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use serde_json::Value;

/// A JSON request body whose text fields must be JSON strings.
#[derive(Debug, Clone)]
pub struct StrictJson<T>(pub T);

impl<T: Type> Payload for StrictJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        <poem_openapi::payload::Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON + 'static> ParsePayload for StrictJson<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = <Vec<u8> as poem::FromRequest>::from_request(request, body).await?;
        let value = if data.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&data).map_err(|err| ParseRequestPayloadError { reason: err.to_string() })?
        };
        let schemas = registry_of::<T>();
        if let Some((field, wrong)) = wrong_type(&value, &T::schema_ref(), &schemas, "") {
            let reason = match wrong {
                Wrong::NotText => format!("field `{field}` must be a JSON string, not a number or true/false"),
                Wrong::Null => format!("field `{field}` may not be null: leave it out to use its default"),
            };
            return Err(ParseRequestPayloadError { reason }.into());
        }
        let value =
            T::parse_from_json(Some(value)).map_err(|err| ParseRequestPayloadError { reason: err.into_message() })?;
        Ok(StrictJson(value))
    }
}

poem_openapi::impl_apirequest_for_payload!(StrictJson<T>, T: ParseFromJSON + 'static);

/// The schemas `T` refers to, built once per type.
fn registry_of<T: Type + 'static>() -> Arc<Registry> {
    static CACHE: OnceLock<Mutex<HashMap<TypeId, Arc<Registry>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(TypeId::of::<T>())
        .or_insert_with(|| {
            let mut r = Registry::new();
            T::register(&mut r);
            Arc::new(r)
        })
        .clone()
}

/// What is wrong with a value the schema does not allow.
#[derive(Debug, PartialEq)]
enum Wrong {
    /// A number or boolean where the schema says string.
    NotText,
    /// `null` for a field the schema does not mark nullable.
    Null,
}

fn nullable(schema: &MetaSchemaRef, reg: &Registry) -> bool {
    match schema {
        MetaSchemaRef::Inline(s) => s.nullable,
        MetaSchemaRef::Reference(name) => reg.schemas.get(name).is_some_and(|s| s.nullable),
    }
}

/// The path of the first value that is a number or boolean where the schema
/// says string, or null where it does not allow null. Walks as deep as the schema, never deeper (schemas here are a few
/// levels; a JSON value nested deeper than its schema is not visited).
fn wrong_type(value: &Value, schema: &MetaSchemaRef, reg: &Registry, path: &str) -> Option<(String, Wrong)> {
    let s = match schema {
        MetaSchemaRef::Inline(s) => s.as_ref(),
        MetaSchemaRef::Reference(name) => reg.schemas.get(name)?,
    };
    for part in s.all_of.iter().chain(&s.any_of).chain(&s.one_of) {
        if let Some(p) = wrong_type(value, part, reg, path) {
            return Some(p);
        }
    }
    match value {
        Value::Bool(_) | Value::Number(_) if s.ty == "string" => {
            Some((path.trim_start_matches('.').to_owned(), Wrong::NotText))
        }
        Value::Object(map) => {
            for (name, prop) in &s.properties {
                let here = format!("{path}.{name}");
                match map.get(*name) {
                    Some(Value::Null) if !nullable(prop, reg) => {
                        return Some((here.trim_start_matches('.').to_owned(), Wrong::Null));
                    }
                    Some(v) => {
                        if let Some(p) = wrong_type(v, prop, reg, &here) {
                            return Some(p);
                        }
                    }
                    None => {}
                }
            }
            if let Some(extra) = &s.additional_properties {
                for (k, v) in map {
                    if let Some(p) = wrong_type(v, extra, reg, &format!("{path}.{k}")) {
                        return Some(p);
                    }
                }
            }
            None
        }
        Value::Array(items) => {
            let item = s.items.as_deref()?;
            items.iter().enumerate().find_map(|(i, v)| wrong_type(v, item, reg, &format!("{path}[{i}]")))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_booleans_are_refused_where_text_is_expected() {
        let reg = registry_of::<crate::model::DocumentInput>();
        let schema = crate::model::DocumentInput::schema_ref();
        let ok = serde_json::json!({"subject": "x", "recipients": [{"label": "a", "emails": ["b@c.vn"]}]});
        assert_eq!(wrong_type(&ok, &schema, &reg, ""), None);
        let bad = serde_json::json!({"subject": false});
        assert_eq!(wrong_type(&bad, &schema, &reg, ""), Some(("subject".into(), Wrong::NotText)));
        let nested = serde_json::json!({"recipients": [{"label": 5}]});
        assert_eq!(wrong_type(&nested, &schema, &reg, ""), Some(("recipients[0].label".into(), Wrong::NotText)));
    }

    #[test]
    fn null_is_refused_unless_the_schema_allows_it() {
        let reg = registry_of::<crate::model::IssuerInput>();
        let schema = crate::model::IssuerInput::schema_ref();
        let null_list = serde_json::json!({"name_lines": ["ỦY BAN NHÂN DÂN"], "parent_lines": null});
        assert_eq!(wrong_type(&null_list, &schema, &reg, ""), Some(("parent_lines".into(), Wrong::Null)));
        let reg = registry_of::<crate::model::DocumentInput>();
        let schema = crate::model::DocumentInput::schema_ref();
        let cleared = serde_json::json!({"subject": "x", "closing": null});
        assert_eq!(wrong_type(&cleared, &schema, &reg, ""), None, "closing is nullable: null clears it");
    }
}
