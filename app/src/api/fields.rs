//! Request fields kept as raw JSON until the domain parses them, so a missing or mistyped field
//! gets the same precise message as an invalid value ("email is required", "comment must be a
//! string, got 5") instead of a generic deserialisation error. The OpenAPI schema still shows
//! the real type and constraints.

use std::borrow::Cow;
use std::marker::PhantomData;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

use crate::domain::{ContentId, MAX_COMMENT_CHARS, MAX_EMAIL_LEN, ValidationError};

/// The documented shape of one field.
pub trait FieldSchema: Send + Sync + 'static {
    const NAME: &'static str;
    fn schema() -> MetaSchema;
}

pub struct RawField<S>(Option<Value>, PhantomData<S>);

impl<S: FieldSchema> RawField<S> {
    pub fn new(value: impl Into<Value>) -> Self {
        Self(Some(value.into()), PhantomData)
    }

    fn present(&self) -> Result<&Value, ValidationError> {
        match &self.0 {
            None | Some(Value::Null) => Err(ValidationError(format!("{} is required", S::NAME))),
            Some(value) => Ok(value),
        }
    }

    /// The field as a string, or why it is not one.
    pub fn text(&self) -> Result<&str, ValidationError> {
        match self.present()? {
            Value::String(text) => Ok(text),
            other => Err(ValidationError(format!(
                "{} must be a string, got {}",
                S::NAME,
                json_kind(other)
            ))),
        }
    }
}

impl RawField<ContentIdSchema> {
    /// A JSON integer, or a string of digits (the original service accepted both).
    pub fn content_id(&self) -> Result<ContentId, ValidationError> {
        match self.present()? {
            Value::Number(n) => n.as_i64().map_or_else(
                || {
                    Err(ValidationError(format!(
                        "content_id must be a positive 64-bit integer, got {n}"
                    )))
                },
                ContentId::new,
            ),
            Value::String(s) => ContentId::parse_str(s),
            other => Err(ValidationError(format!(
                "content_id must be a positive integer, got {}",
                json_kind(other)
            ))),
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<S> std::fmt::Debug for RawField<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<S> Clone for RawField<S> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<S: FieldSchema> Type for RawField<S> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Value;
    type RawElementValueType = Value;

    fn name() -> Cow<'static, str> {
        S::NAME.into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(S::schema()))
    }

    fn as_raw_value(&self) -> Option<&Value> {
        self.0.as_ref()
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Value> + 'a> {
        Box::new(self.0.iter())
    }
}

impl<S: FieldSchema> ParseFromJSON for RawField<S> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        Ok(Self(value, PhantomData))
    }
}

impl<S: FieldSchema> ToJSON for RawField<S> {
    fn to_json(&self) -> Option<Value> {
        self.0.clone()
    }
}

pub struct EmailSchema;

impl FieldSchema for EmailSchema {
    const NAME: &'static str = "email";
    fn schema() -> MetaSchema {
        MetaSchema {
            max_length: Some(MAX_EMAIL_LEN),
            example: Some("alice@example.com".into()),
            ..MetaSchema::new_with_format("string", "email")
        }
    }
}

/// Control characters (Unicode Cc) other than tab, LF and CR are refused; so is a comment of white
/// space only.
const COMMENT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*\
    [^\\s\\u0000-\\u001F\\u007F-\\u009F]\
    [^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

pub struct CommentSchema;

impl FieldSchema for CommentSchema {
    const NAME: &'static str = "comment";
    fn schema() -> MetaSchema {
        MetaSchema {
            min_length: Some(1),
            max_length: Some(MAX_COMMENT_CHARS),
            // What `CommentText::parse` accepts: no control character but tab and line breaks,
            // and at least one character that is not white space.
            pattern: Some(COMMENT_PATTERN.into()),
            example: Some("first post!".into()),
            ..MetaSchema::new("string")
        }
    }
}

pub struct ContentIdSchema;

impl FieldSchema for ContentIdSchema {
    const NAME: &'static str = "content_id";
    fn schema() -> MetaSchema {
        let integer = MetaSchema {
            minimum: Some(1.0),
            ..MetaSchema::new_with_format("integer", "int64")
        };
        let digits = MetaSchema {
            pattern: Some(crate::domain::content_id_pattern()),
            ..MetaSchema::new("string")
        };
        MetaSchema {
            one_of: vec![
                MetaSchemaRef::Inline(Box::new(integer)),
                MetaSchemaRef::Inline(Box::new(digits)),
            ],
            example: Some(Value::from(1)),
            ..MetaSchema::ANY
        }
    }
}

/// `content_id` in a path parses straight into the domain type (a positive 64-bit integer), so a
/// handler never holds an unchecked id. Documented as the integer it is, with its minimum.
impl Type for ContentId {
    const IS_REQUIRED: bool = true;
    type RawValueType = i64;
    type RawElementValueType = i64;

    fn name() -> Cow<'static, str> {
        "integer(int64)".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            minimum: Some(1.0),
            ..MetaSchema::new_with_format("integer", "int64")
        }))
    }

    fn as_raw_value(&self) -> Option<&i64> {
        Some(self.as_i64())
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a i64> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromParameter for ContentId {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        let id: i64 = value.parse().map_err(ParseError::custom)?;
        ContentId::new(id).map_err(ParseError::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed<S: FieldSchema>(json: Option<Value>) -> RawField<S> {
        RawField::<S>::parse_from_json(json).expect("raw fields accept any JSON")
    }

    #[test]
    fn missing_and_null_fields_are_named() {
        let err = parsed::<EmailSchema>(None).text().unwrap_err();
        assert_eq!(err.0, "email is required");
        let err = parsed::<CommentSchema>(Some(Value::Null))
            .text()
            .unwrap_err();
        assert_eq!(err.0, "comment is required");
        let err = parsed::<ContentIdSchema>(None).content_id().unwrap_err();
        assert_eq!(err.0, "content_id is required");
    }

    #[test]
    fn wrong_json_types_are_named() {
        let err = parsed::<EmailSchema>(Some(Value::from(5)))
            .text()
            .unwrap_err();
        assert_eq!(err.0, "email must be a string, got a number");
        let err = parsed::<ContentIdSchema>(Some(Value::Bool(true)))
            .content_id()
            .unwrap_err();
        assert_eq!(
            err.0,
            "content_id must be a positive integer, got a boolean"
        );
        let err = parsed::<ContentIdSchema>(Some(serde_json::json!(1.5)))
            .content_id()
            .unwrap_err();
        assert_eq!(
            err.0,
            "content_id must be a positive 64-bit integer, got 1.5"
        );
    }

    #[test]
    fn content_id_accepts_integers_and_digit_strings() {
        let id = parsed::<ContentIdSchema>(Some(Value::from(7))).content_id();
        assert_eq!(id.unwrap().get(), 7);
        let id = parsed::<ContentIdSchema>(Some(Value::from("42"))).content_id();
        assert_eq!(id.unwrap().get(), 42);
    }
}
