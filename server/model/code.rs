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

impl<V: Vocabulary + std::str::FromStr<Err = String>> Code<V> {
    /// The vocabulary's value; `None` for a code it does not know (only input
    /// not yet checked can hold one).
    pub fn value(&self) -> Option<V> {
        self.raw.parse().ok()
    }

    /// The vocabulary's value, or the field's error (422) naming the codes it takes.
    pub fn checked(&self, field: &str) -> crate::error::Result<V> {
        self.raw
            .parse()
            .map_err(|e: String| crate::error::AppError::field(field, format!("Giá trị không thuộc danh mục / {e}")))
    }
}

impl<V: Vocabulary> From<V> for Code<V> {
    fn from(v: V) -> Self {
        v.code().into()
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

/// Gives each vocabulary of `domain::vocab` the API's shape, for output models: a
/// string with the codes listed as its `enum` (the same schema as [`Code`]).
macro_rules! api_vocabulary {
    ($($name:ident),+ $(,)?) => {$(
        impl Type for crate::domain::vocab::$name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                <Code<Self> as Type>::name()
            }

            fn schema_ref() -> MetaSchemaRef {
                <Code<Self> as Type>::schema_ref()
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(std::iter::once(self))
            }
        }

        impl ParseFromJSON for crate::domain::vocab::$name {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value.unwrap_or_default() {
                    Value::String(s) => s.parse().map_err(ParseError::custom),
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl ToJSON for crate::domain::vocab::$name {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.code().to_owned()))
            }
        }
    )+};
}

api_vocabulary!(
    Role,
    UnitKind,
    TargetStatus,
    ResultState,
    ProposalSection,
    DocumentKind,
    DocumentState,
    OutboxState,
    MailKind,
    AuditAction,
    FollowUpKind,
    FollowUpState,
    Decision,
    UrgeBy,
    Timeliness,
    RequestKind,
    AskKind
);
