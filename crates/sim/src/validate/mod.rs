//! Create-body validation for both wire forms, written from the API docs.
//!
//! Each form has its own parser (field names and types differ: the official API sends
//! durations as strings, the gateway as numbers); both share the limits in [`common`].
//! Errors name the field by its JSON path, 0-based (`multi_prompt[2].prompt`), and the limit.

pub(crate) mod common;
pub(crate) mod gateway;
pub(crate) mod kling;

use serde_json::{Map, Value};

/// A rejected create: the field's JSON path and a message that names it and the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub param: Option<String>,
    pub message: String,
}

impl Invalid {
    /// `detail` continues the field name: `Invalid::field("duration", "must be …")`.
    pub(crate) fn field(param: impl Into<String>, detail: impl AsRef<str>) -> Self {
        let param = param.into();
        Invalid {
            message: format!("{param} {}", detail.as_ref()),
            param: Some(param),
        }
    }

    /// A problem with the body as a whole.
    pub(crate) fn body(message: impl Into<String>) -> Self {
        Invalid {
            param: None,
            message: message.into(),
        }
    }
}

/// The body as a JSON object, or why not.
pub(crate) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Invalid> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Invalid::body("request body must be a JSON object")),
        Err(e) => Err(Invalid::body(format!(
            "request body is not valid JSON: {e}"
        ))),
    }
}

/// Typed access to one JSON object's fields; errors carry the field's full path.
/// `null` counts as absent.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Fields<'a> {
    pub(crate) fn root(map: &'a Map<String, Value>) -> Self {
        Fields {
            map,
            prefix: String::new(),
        }
    }

    /// The object at `array_path[index]`.
    pub(crate) fn item(array_path: &str, index: usize, value: &'a Value) -> Result<Self, Invalid> {
        let path = format!("{array_path}[{index}]");
        match value {
            Value::Object(map) => Ok(Fields {
                map,
                prefix: format!("{path}."),
            }),
            other => Err(Invalid::field(
                path,
                format!("must be an object, got {}", type_name(other)),
            )),
        }
    }

    pub(crate) fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn wrong_type(&self, name: &str, wanted: &str, got: &Value) -> Invalid {
        Invalid::field(
            self.path(name),
            format!("must be {wanted}, got {}", type_name(got)),
        )
    }

    pub(crate) fn str(&self, name: &str) -> Result<Option<&'a str>, Invalid> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong_type(name, "a string", other)),
        }
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, Invalid> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong_type(name, "a boolean", other)),
        }
    }

    pub(crate) fn number(&self, name: &str) -> Result<Option<f64>, Invalid> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(self.wrong_type(name, "a number", other)),
        }
    }

    /// A JSON number with no fractional part.
    pub(crate) fn integer(&self, name: &str) -> Result<Option<i64>, Invalid> {
        let Some(v) = self.number(name)? else {
            return Ok(None);
        };
        if v.fract() != 0.0 || v.abs() > 1e15 {
            return Err(Invalid::field(
                self.path(name),
                format!("must be a whole number, got {v}"),
            ));
        }
        Ok(Some(v as i64))
    }

    pub(crate) fn array(&self, name: &str) -> Result<Option<&'a Vec<Value>>, Invalid> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(self.wrong_type(name, "an array", other)),
        }
    }

    pub(crate) fn object(&self, name: &str) -> Result<Option<Fields<'a>>, Invalid> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields {
                map,
                prefix: format!("{}.", self.path(name)),
            })),
            Some(other) => Err(self.wrong_type(name, "an object", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_are_checked_with_full_paths() {
        let body = json!({"a": "x", "n": 1.5, "list": [{"d": "4"}], "nil": null});
        let map = body.as_object().expect("object");
        let f = Fields::root(map);
        assert_eq!(f.str("a"), Ok(Some("x")));
        assert_eq!(f.str("nil"), Ok(None));
        assert_eq!(f.str("missing"), Ok(None));
        assert_eq!(
            f.number("a").unwrap_err().message,
            "a must be a number, got a string"
        );
        assert!(f.integer("n").unwrap_err().message.contains("whole number"));
        let items = f.array("list").expect("ok").expect("present");
        let item = Fields::item("list", 0, &items[0]).expect("object");
        let err = item.integer("d").unwrap_err();
        assert_eq!(err.param.as_deref(), Some("list[0].d"));
    }

    #[test]
    fn body_must_be_an_object() {
        assert!(
            parse_object(b"[1]")
                .unwrap_err()
                .message
                .contains("JSON object")
        );
        assert!(
            parse_object(b"{")
                .unwrap_err()
                .message
                .contains("not valid JSON")
        );
        assert!(parse_object(b"{}").is_ok());
    }
}
