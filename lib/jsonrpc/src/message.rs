//! JSON-RPC 1.0 messages with OVS's validity rules.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// A message is valid JSON but not a valid JSON-RPC message. `Display` is
/// OVS's text (e.g. `"params" must be JSON array`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MessageError(String);

impl MessageError {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One JSON-RPC message. A `null` `params`, `result`, `error` or `id` counts
/// as absent, as in OVS, so `Reply::result`, `Error::error` and the ids are
/// never `null` in a decoded message (and must not be when sending one).
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Expects a reply with the same `id`. `params` is a JSON array.
    Request {
        method: String,
        params: Value,
        id: Value,
    },
    /// A request without `id`: no reply. `params` is a JSON array.
    Notify {
        method: String,
        params: Value,
    },
    Reply {
        result: Value,
        id: Value,
    },
    Error {
        error: Value,
        id: Value,
    },
}

impl Message {
    pub fn request(method: impl Into<String>, params: Value, id: Value) -> Message {
        Message::Request {
            method: method.into(),
            params,
            id,
        }
    }

    pub fn notify(method: impl Into<String>, params: Value) -> Message {
        Message::Notify {
            method: method.into(),
            params,
        }
    }

    pub fn reply(id: Value, result: Value) -> Message {
        Message::Reply { result, id }
    }

    pub fn error(id: Value, error: Value) -> Message {
        Message::Error { error, id }
    }

    /// OVS's name for the kind of message, as used in its error texts.
    pub fn type_name(&self) -> &'static str {
        match self {
            Message::Request { .. } => "request",
            Message::Notify { .. } => "notification",
            Message::Reply { .. } => "reply",
            Message::Error { .. } => "error",
        }
    }

    pub fn id(&self) -> Option<&Value> {
        match self {
            Message::Request { id, .. } | Message::Reply { id, .. } | Message::Error { id, .. } => {
                Some(id)
            }
            Message::Notify { .. } => None,
        }
    }

    pub fn method(&self) -> Option<&str> {
        match self {
            Message::Request { method, .. } | Message::Notify { method, .. } => Some(method),
            Message::Reply { .. } | Message::Error { .. } => None,
        }
    }

    /// Validates `json` as OVS's `jsonrpc_msg_from_json` does: the kind is
    /// decided by which members are present (result, then error, then id,
    /// else notification), then each kind must have exactly its members.
    pub fn from_json(json: Value) -> Result<Message, MessageError> {
        let Value::Object(mut object) = json else {
            return Err(err("message is not a JSON object"));
        };
        let method = match object.remove("method") {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => return Err(err("method is not a JSON string")),
        };
        let params = take_non_null(&mut object, "params");
        let result = take_non_null(&mut object, "result");
        let error = take_non_null(&mut object, "error");
        let id = take_non_null(&mut object, "id");
        if let Some(name) = object.keys().next() {
            return Err(MessageError(format!(
                "message has unexpected member \"{name}\""
            )));
        }
        if params.as_ref().is_some_and(|p| !p.is_array()) {
            return Err(err("\"params\" must be JSON array"));
        }

        // Which members each kind must (true) or must not (false) have:
        // method, params, result, error, id.
        let (type_name, pattern) = if result.is_some() {
            ("reply", [false, false, true, false, true])
        } else if error.is_some() {
            ("error", [false, false, false, true, true])
        } else if id.is_some() {
            ("request", [true, true, false, false, true])
        } else {
            ("notification", [true, true, false, false, false])
        };
        let present = [
            method.is_some(),
            params.is_some(),
            result.is_some(),
            error.is_some(),
            id.is_some(),
        ];
        let names = ["method", "params", "result", "error", "id"];
        for ((name, want), have) in names.iter().zip(pattern).zip(present) {
            if want != have {
                let not = if want { "" } else { " not" };
                return Err(MessageError(format!(
                    "{type_name} must{not} have \"{name}\""
                )));
            }
        }

        Ok(match (method, params, result, error, id) {
            (_, _, Some(result), _, Some(id)) => Message::Reply { result, id },
            (_, _, _, Some(error), Some(id)) => Message::Error { error, id },
            (Some(method), Some(params), _, _, Some(id)) => Message::Request { method, params, id },
            (Some(method), Some(params), _, _, None) => Message::Notify { method, params },
            // The pattern check above leaves no other combination.
            _ => return Err(err("invalid JSON-RPC message")),
        })
    }

    /// The message as a JSON object with the members OVS sends (see
    /// [`to_bytes`](Self::to_bytes)).
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        for (name, value) in self.members() {
            object.insert(name.to_string(), value.into_owned());
        }
        Value::Object(object)
    }

    /// Compact serialization with the members in the order ovsdb-server 3.1
    /// puts them on the wire: requests `id, method, params`; notifications
    /// `id:null, method, params`; replies `id, result, error:null`; errors
    /// `id, error` (OVS sends no `"result":null` in an error).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        out.push('{');
        for (i, (name, value)) in self.members().into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
            crate::text::write_json(&mut out, &value);
        }
        out.push('}');
        out.into_bytes()
    }

    /// The bytes of a reply whose `result` is already JSON text, spliced in
    /// verbatim: for results whose member order must follow something a
    /// [`Value`] cannot hold (OVS's hash-map order). Framing and member
    /// order are those of [`to_bytes`](Self::to_bytes) for a `Reply`; the
    /// caller promises `result` is one compact JSON value, not `null`.
    pub fn reply_bytes_with_raw_result(id: &Value, result: &str) -> Vec<u8> {
        let mut out = String::from("{\"id\":");
        crate::text::write_json(&mut out, id);
        out.push_str(",\"result\":");
        out.push_str(result);
        out.push_str(",\"error\":null}");
        out.into_bytes()
    }

    fn members(&self) -> Vec<(&'static str, Cow<'_, Value>)> {
        let null = || Cow::Owned(Value::Null);
        let method = |m: &str| Cow::Owned(Value::String(m.to_string()));
        match self {
            Message::Request {
                method: m,
                params,
                id,
            } => vec![
                ("id", Cow::Borrowed(id)),
                ("method", method(m)),
                ("params", Cow::Borrowed(params)),
            ],
            Message::Notify { method: m, params } => vec![
                ("id", null()),
                ("method", method(m)),
                ("params", Cow::Borrowed(params)),
            ],
            Message::Reply { result, id } => vec![
                ("id", Cow::Borrowed(id)),
                ("result", Cow::Borrowed(result)),
                ("error", null()),
            ],
            Message::Error { error, id } => {
                vec![("id", Cow::Borrowed(id)), ("error", Cow::Borrowed(error))]
            }
        }
    }
}

fn err(text: &str) -> MessageError {
    MessageError(text.to_string())
}

fn take_non_null(object: &mut Map<String, Value>, name: &str) -> Option<Value> {
    object.remove(name).filter(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bad(v: Value) -> String {
        Message::from_json(v).unwrap_err().to_string()
    }

    #[test]
    fn kinds_are_decided_like_ovs() {
        assert_eq!(
            Message::from_json(json!({"method":"echo","params":[],"id":"x"})),
            Ok(Message::request("echo", json!([]), json!("x")))
        );
        assert_eq!(
            Message::from_json(json!({"method":"update","params":[1],"id":null})),
            Ok(Message::notify("update", json!([1])))
        );
        assert_eq!(
            Message::from_json(json!({"result":{},"error":null,"id":3})),
            Ok(Message::reply(json!(3), json!({})))
        );
        assert_eq!(
            Message::from_json(json!({"error":"unknown method","id":3})),
            Ok(Message::error(json!(3), json!("unknown method")))
        );
        assert_eq!(
            Message::from_json(json!({"result":null,"error":{"e":1},"id":3})),
            Ok(Message::error(json!(3), json!({"e":1})))
        );
    }

    #[test]
    fn ovs_error_texts() {
        assert_eq!(bad(json!([1])), "message is not a JSON object");
        assert_eq!(bad(json!({"method":null})), "method is not a JSON string");
        assert_eq!(
            bad(json!({"method":"m","params":[],"id":1,"zzz":1})),
            "message has unexpected member \"zzz\""
        );
        assert_eq!(
            bad(json!({"method":"m","params":{},"id":1})),
            "\"params\" must be JSON array"
        );
        assert_eq!(
            bad(json!({"method":"m","id":1})),
            "request must have \"params\""
        );
        assert_eq!(bad(json!({"id":1})), "request must have \"method\"");
        assert_eq!(bad(json!({})), "notification must have \"method\"");
        assert_eq!(
            bad(json!({"result":1,"error":1,"id":1})),
            "reply must not have \"error\""
        );
        assert_eq!(bad(json!({"result":1})), "reply must have \"id\"");
        assert_eq!(
            bad(json!({"method":"m","params":[],"error":1,"id":1})),
            "error must not have \"method\""
        );
        assert_eq!(
            bad(json!({"method":"m","params":[],"result":1,"id":1})),
            "reply must not have \"method\""
        );
    }

    #[test]
    fn wire_bytes_match_ovsdb_server() {
        let cases = [
            (
                Message::request("list_dbs", json!([]), json!(0)),
                r#"{"id":0,"method":"list_dbs","params":[]}"#,
            ),
            (
                Message::notify("update", json!([null, {}])),
                r#"{"id":null,"method":"update","params":[null,{}]}"#,
            ),
            (
                Message::reply(json!("x"), json!([1])),
                r#"{"id":"x","result":[1],"error":null}"#,
            ),
            (
                Message::error(json!(7), json!("unknown method")),
                r#"{"id":7,"error":"unknown method"}"#,
            ),
        ];
        for (message, text) in cases {
            assert_eq!(String::from_utf8(message.to_bytes()).unwrap(), text);
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(message.to_json(), value);
            assert_eq!(Message::from_json(value), Ok(message));
        }
    }

    #[test]
    fn raw_result_reply_frames_like_to_bytes() {
        for (id, result) in [
            (json!(0), json!({"a": [1, "x"], "b": {}})),
            (json!("x\"y"), json!("text")),
            (json!([1, 2]), json!(2.5)),
        ] {
            let text = crate::text::to_string(&result);
            assert_eq!(
                Message::reply_bytes_with_raw_result(&id, &text),
                Message::reply(id, result).to_bytes()
            );
        }
    }

    #[test]
    fn strings_are_escaped_like_ovs() {
        let m = Message::notify("a\"b", json!(["\u{1}\n\u{7f}é"]));
        assert_eq!(
            String::from_utf8(m.to_bytes()).unwrap(),
            "{\"id\":null,\"method\":\"a\\\"b\",\"params\":[\"\\u0001\\n\u{7f}é\"]}"
        );
    }
}
