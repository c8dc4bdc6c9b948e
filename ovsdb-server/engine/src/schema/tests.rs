use super::*;
use serde_json::json;

fn parse(v: Value) -> std::result::Result<DatabaseSchema, OvsdbError> {
    DatabaseSchema::from_json(&v)
}

fn sample() -> Value {
    json!({
        "name": "Zoo",
        "version": "1.2.3",
        "cksum": "123 456",
        "tables": {
            "Keeper": {
                "columns": {
                    "name": {"type": "string", "mutable": false},
                    "age": {"type": {"key": {"type": "integer", "minInteger": 18, "maxInteger": 99}}},
                    "animals": {"type": {"key": {"type": "uuid", "refTable": "Animal"}, "min": 0, "max": "unlimited"}},
                    "favourite": {"type": {"key": {"type": "uuid", "refTable": "Animal", "refType": "weak"}, "min": 0, "max": 1}, "mutable": false},
                    "notes": {"type": {"key": "string", "value": {"type": "string", "maxLength": 10}, "min": 0, "max": "unlimited"}, "ephemeral": true}
                },
                "isRoot": true,
                "indexes": [["name"]],
                "maxRows": 5
            },
            "Animal": {
                "columns": {
                    "kind": {"type": {"key": {"type": "string", "enum": ["set", ["cat", "dog"]]}}},
                    "weight": {"type": {"key": {"type": "real", "minReal": 0.5}, "min": 0, "max": 1}},
                    "tag": {"type": {"key": {"type": "string", "minLength": 1}}, "ephemeral": true},
                    "friends": {"type": {"key": {"type": "uuid", "refTable": "Animal"}, "min": 0, "max": 3}, "ephemeral": true}
                }
            }
        }
    })
}

#[test]
fn round_trip_and_defaults() {
    let s = parse(sample()).unwrap();
    assert_eq!(s.name, "Zoo");
    assert_eq!(s.schema_version(), "1.2.3");
    assert_eq!(s.checksum(), "123 456");
    let keeper = &s.tables["Keeper"];
    assert!(keeper.is_root);
    assert_eq!(keeper.max_rows, Some(5));
    assert!(!keeper.columns["name"].mutable);
    // Weak references are always mutable.
    assert!(keeper.columns["favourite"].mutable);
    assert!(!keeper.columns["notes"].persistent);
    let animal = &s.tables["Animal"];
    assert!(!animal.is_root);
    // Strong references to non-root tables are always persistent.
    assert!(animal.columns["friends"].persistent);
    assert!(!animal.columns["tag"].persistent);

    let out = s.to_json();
    assert_eq!(out["tables"]["Keeper"]["isRoot"], json!(true));
    assert!(out["tables"]["Animal"].get("isRoot").is_none());
    assert_eq!(
        out["tables"]["Keeper"]["columns"]["favourite"],
        json!({"type": {"key": {"type": "uuid", "refTable": "Animal", "refType": "weak"}, "min": 0}})
    );
    assert_eq!(
        out["tables"]["Keeper"]["columns"]["name"],
        json!({"mutable": false, "type": "string"})
    );
    assert_eq!(
        out["tables"]["Animal"]["columns"]["friends"],
        json!({"type": {"key": {"type": "uuid", "refTable": "Animal"}, "min": 0, "max": 3}})
    );
    assert_eq!(
        out["tables"]["Animal"]["columns"]["kind"],
        json!({"type": {"key": {"type": "string", "enum": ["set", ["cat", "dog"]]}}})
    );
    assert_eq!(
        out["tables"]["Animal"]["columns"]["weight"],
        json!({"type": {"key": {"type": "real", "minReal": 0.5}, "min": 0}})
    );
    assert_eq!(out["tables"]["Keeper"]["indexes"], json!([["name"]]));
    assert_eq!(out["tables"]["Keeper"]["maxRows"], json!(5));
    // Serializing is a fixed point.
    assert_eq!(parse(out.clone()).unwrap().to_json(), out);
    assert_eq!(parse(out).unwrap(), s);
}

#[test]
fn no_root_means_all_root() {
    let s = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": "integer"}}}, "B": {"columns": {"b": {"type": "integer"}}}}})).unwrap();
    assert!(s.tables.values().all(|t| t.is_root));
    let out = s.to_json();
    assert!(out["tables"]["A"].get("isRoot").is_none());
    assert!(out.get("version").is_none());
    assert!(out.get("cksum").is_none());
}

#[test]
fn errors() {
    let e = parse(json!({"name": "x", "tables": {}, "extra": 1})).unwrap_err();
    assert_eq!(
        e.details,
        "Parsing database schema failed: Member 'extra' is present but not allowed here."
    );
    let e = parse(json!({"name": "x", "version": "1.2", "tables": {}})).unwrap_err();
    assert_eq!(e.details, "schema version \"1.2\" not in format x.y.z");
    let e = parse(json!({"name": "x", "tables": {"_a": {"columns": {"a": {"type": "integer"}}}}}))
        .unwrap_err();
    assert_eq!(e.details, "names beginning with \"_\" are reserved");
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {}}}})).unwrap_err();
    assert_eq!(e.details, "table must have at least one column");
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": "int"}}}}}))
        .unwrap_err();
    assert_eq!(e.details, "\"int\" is not an atomic-type");
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": {"key": "integer", "min": 2}}}}}})).unwrap_err();
    assert_eq!(e.details, "ovsdb type fails constraint checks");
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": {"key": "integer", "max": -1}}}}}})).unwrap_err();
    assert_eq!(e.details, "bad min or max value");
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": {"key": {"type": "uuid", "refTable": "B"}}}}}}})).unwrap_err();
    assert_eq!(e.details, "column a key refers to undefined table B");
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": {"key": {"type": "integer", "minInteger": 5, "maxInteger": 1}}}}}}})).unwrap_err();
    assert_eq!(e.details, "minInteger exceeds maxInteger");
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": "integer", "ephemeral": true}}, "indexes": [["a"]]}}})).unwrap_err();
    assert_eq!(
        e.details,
        "ephemeral columns (such as a) may not be indexed"
    );
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": "integer"}}, "maxRows": 0}}})).unwrap_err();
    assert_eq!(e.details, "maxRows must be at least 1");
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": {"key": {"type": "uuid", "refTable": "A", "refType": "soft"}}}}}}})).unwrap_err();
    assert_eq!(
        e.details,
        "refType must be \"strong\" or \"weak\" (not \"soft\")"
    );
    let e = parse(json!({"name": "x", "tables": {"A": {"columns": {"a": {"type": {"key": {"type": "string", "enum": ["set", [1]]}}}}}}})).unwrap_err();
    assert_eq!(e.details, "expected string");
}

#[test]
fn english() {
    let t =
        Type::from_json(&json!({"key": "string", "value": "string", "min": 0, "max": "unlimited"}))
            .unwrap();
    assert_eq!(t.to_english(), "map of (string, string) pairs");
    let t = Type::from_json(&json!({"key": "integer", "min": 0, "max": 4096})).unwrap();
    assert_eq!(t.to_english(), "set of up to 4096 integers");
    let t = Type::from_json(&json!({"key": "uuid", "min": 1, "max": "unlimited"})).unwrap();
    assert_eq!(t.to_english(), "set of 1 or more uuids");
    let t = Type::from_json(&json!({"key": "uuid", "min": 1, "max": 2})).unwrap();
    assert_eq!(t.to_english(), "set of 1 to 2 uuids");
    assert_eq!(Type::scalar(AtomicType::Real).to_english(), "real");
}

#[test]
fn installed_vswitch_schema_is_a_fixed_point() {
    // Uses the system's schema when present; the repository carries none.
    let Ok(text) = std::fs::read_to_string("/usr/share/openvswitch/vswitch.ovsschema") else {
        return;
    };
    let v: Value = serde_json::from_str(&text).unwrap();
    let s = DatabaseSchema::from_json(&v).unwrap();
    let out = s.to_json();
    assert_eq!(DatabaseSchema::from_json(&out).unwrap().to_json(), out);
    assert_eq!(out["name"], json!("Open_vSwitch"));
}

#[test]
fn versions() {
    assert_eq!(parse_version("8.3.1"), Some((8, 3, 1)));
    assert_eq!(parse_version("8.3"), None);
    assert_eq!(parse_version("8.3.1.2"), None);
    assert_eq!(parse_version("a.b.c"), None);
}
