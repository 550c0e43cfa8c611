//! A vocabulary code as the API carries it. Any string is read, so the service can
//! name a wrong value together with every other problem of the same input; the
//! OpenAPI document lists the values the field takes.

use std::borrow::Cow;
use std::marker::PhantomData;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

use crate::domain::vocab::Vocabulary;

/// A code of vocabulary `V` (e.g. `Code<Role>` holds "office").
pub struct Code<V> {
    raw: String,
    vocabulary: PhantomData<fn() -> V>,
}

impl<V> Code<V> {
    /// The code as sent.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl<V> std::ops::Deref for Code<V> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.raw
    }
}

impl<V> From<String> for Code<V> {
    fn from(raw: String) -> Self {
        Code { raw, vocabulary: PhantomData }
    }
}

impl<V> From<&str> for Code<V> {
    fn from(raw: &str) -> Self {
        raw.to_owned().into()
    }
}

impl<V> From<Code<V>> for String {
    fn from(c: Code<V>) -> String {
        c.raw
    }
}

impl<V> Clone for Code<V> {
    fn clone(&self) -> Self {
        self.raw.clone().into()
    }
}

impl<V> PartialEq for Code<V> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<V> PartialEq<&str> for Code<V> {
    fn eq(&self, other: &&str) -> bool {
        self.raw == *other
    }
}

impl<V> std::fmt::Debug for Code<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.raw.fmt(f)
    }
}

impl<V> std::fmt::Display for Code<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

impl<V> serde::Serialize for Code<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de, V> serde::Deserialize<'de> for Code<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Into::into)
    }
}

impl<V: Vocabulary + Send + Sync> Type for Code<V> {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        format!("string({})", V::codes().join("|")).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new("string");
        schema.enum_items = V::ALL_CODES.iter().map(|c| Value::String((*c).to_owned())).collect();
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.raw)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.raw))
    }

    fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

impl<V: Vocabulary + Send + Sync> ParseFromJSON for Code<V> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(s.into()),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<V: Vocabulary + Send + Sync> ToJSON for Code<V> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.raw.clone()))
    }
}
