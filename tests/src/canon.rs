//! Canonical forms of tool output, so that two servers holding the same
//! data compare equal although every row UUID is random on each side.
//!
//! The UUIDs are renamed by *what the rows are*, not by where they first
//! appear: where a UUID first appears depends on the UUIDs themselves
//! (`ovsdb-client dump` sorts rows by UUID), so "order of first appearance"
//! would give two identical databases different names. Instead each row gets
//! a label from its own values plus, refined round after round, the labels
//! of the rows it references (colour refinement). Two databases that differ
//! only in UUIDs get identical labels; the rows of each table are then
//! numbered in label order, and every UUID is replaced by a placeholder of
//! the same width (`00000000-0000-0000-0000-000000000007`), so the column
//! alignment of the table formats is unchanged. What the comparison then
//! ignores is exactly what depends on UUID values: row order and the order
//! of UUIDs inside a set. Everything else (values, which row references
//! which, column widths, headings) is compared byte for byte.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

/// One table of `ovsdb-client -f json dump`.
#[derive(Debug, Clone)]
pub struct TableDump {
    pub name: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Parses the output of `ovsdb-client -f json dump` (one JSON object per
/// table: caption, headings, data).
pub fn parse_json_dump(text: &str) -> Result<Vec<TableDump>, String> {
    let mut tables = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let obj: Value = serde_json::from_str(line).map_err(|e| format!("{e}: {line}"))?;
        let caption = obj
            .get("caption")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("no caption: {line}"))?;
        let name = caption
            .strip_suffix(" table")
            .ok_or_else(|| format!("odd caption {caption:?}"))?
            .to_string();
        let headings = obj
            .get("headings")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("no headings: {line}"))?
            .iter()
            .map(|h| h.as_str().map(str::to_string).ok_or("heading not a string"))
            .collect::<Result<Vec<_>, _>>()?;
        let rows = obj
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("no data: {line}"))?
            .iter()
            .map(|r| r.as_array().cloned().ok_or("row not an array"))
            .collect::<Result<Vec<_>, _>>()?;
        tables.push(TableDump {
            name,
            headings,
            rows,
        });
    }
    Ok(tables)
}

/// Renders an OVSDB JSON value with every `["uuid", U]` rewritten by
/// `name(U)`, and the elements of sets and maps in sorted order of their
/// rendering (so the result does not depend on UUID order).
fn render(v: &Value, name: &dyn Fn(&str) -> String) -> String {
    match v {
        Value::Array(a) if a.len() == 2 && a[0] == "uuid" => match a[1].as_str() {
            Some(u) => format!("[\"uuid\",\"{}\"]", name(u)),
            None => v.to_string(),
        },
        Value::Array(a) if a.len() == 2 && (a[0] == "set" || a[0] == "map") => {
            let mut items: Vec<String> = match a[1].as_array() {
                Some(items) => items.iter().map(|i| render(i, name)).collect(),
                None => return v.to_string(),
            };
            items.sort();
            format!("[{},[{}]]", a[0], items.join(","))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|i| render(i, name)).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// A renaming of row UUIDs to placeholders that depends only on content.
#[derive(Debug, Clone, Default)]
pub struct UuidMap {
    map: HashMap<String, String>,
}

impl UuidMap {
    /// The placeholder for `uuid`, if it names a row of the dump.
    pub fn get(&self, uuid: &str) -> Option<&str> {
        self.map.get(uuid).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// The `n`th placeholder, shaped like a UUID so table widths do not move.
pub fn placeholder(n: usize) -> String {
    format!("00000000-0000-0000-0000-{n:012}")
}

/// Placeholder for a UUID that names no row (a dangling reference, or a
/// UUID from another source), numbered by first appearance.
fn unmapped(n: usize) -> String {
    format!("ffffffff-ffff-ffff-ffff-{n:012}")
}

/// Computes the content-based renaming of every row UUID in `tables`.
pub fn canonical_uuids(tables: &[TableDump]) -> UuidMap {
    struct Row<'a> {
        table: usize,
        uuid: String,
        values: &'a [Value],
    }
    let mut rows = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        let uuid_col = table.headings.iter().position(|h| h == "_uuid");
        for values in &table.rows {
            let uuid = uuid_col
                .and_then(|c| values.get(c))
                .and_then(|v| v.get(1))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            rows.push(Row {
                table: t,
                uuid,
                values,
            });
        }
    }
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.uuid.as_str(), i))
        .collect();

    let mut class = vec![0usize; rows.len()];
    let mut n_classes = 0;
    let mut labels = vec![String::new(); rows.len()];
    // Refinement only ever splits classes, so it is stable after at most
    // one round per row.
    for _ in 0..=rows.len() {
        for (i, row) in rows.iter().enumerate() {
            let name = |u: &str| -> String {
                if u == row.uuid {
                    "self".to_string()
                } else {
                    match index.get(u) {
                        Some(&j) => format!("class{}", class[j]),
                        None => "dangling".to_string(),
                    }
                }
            };
            let cells: Vec<String> = row.values.iter().map(|v| render(v, &name)).collect();
            labels[i] = format!("{}|{}", tables[row.table].name, cells.join("|"));
        }
        let distinct: BTreeMap<&str, usize> = {
            let mut sorted: Vec<&str> = labels.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            sorted.dedup();
            sorted
                .into_iter()
                .enumerate()
                .map(|(i, l)| (l, i))
                .collect()
        };
        let stable = distinct.len() == n_classes;
        n_classes = distinct.len();
        class = labels.iter().map(|l| distinct[l.as_str()]).collect();
        if stable {
            break;
        }
    }

    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| (rows[a].table, class[a], a).cmp(&(rows[b].table, class[b], b)));
    let map = order
        .iter()
        .enumerate()
        .map(|(n, &i)| (rows[i].uuid.clone(), placeholder(n + 1)))
        .collect();
    UuidMap { map }
}

/// A canonical text of a JSON dump: per table its name and headings, then
/// one line per row (UUIDs renamed, sets and maps sorted), rows sorted.
pub fn render_dump(tables: &[TableDump], map: &UuidMap) -> String {
    let name = |u: &str| -> String {
        map.get(u)
            .map(str::to_string)
            .unwrap_or_else(|| format!("dangling:{u}"))
    };
    let mut out = String::new();
    for table in tables {
        out.push_str(&format!(
            "{} table: {}\n",
            table.name,
            table.headings.join(" ")
        ));
        let mut lines: Vec<String> = table
            .rows
            .iter()
            .map(|r| {
                let cells: Vec<String> = r.iter().map(|v| render(v, &name)).collect();
                format!("  {}\n", cells.join(" "))
            })
            .collect();
        lines.sort();
        out.extend(lines);
    }
    out
}

fn is_uuid_at(b: &[u8], i: usize) -> bool {
    if i + 36 > b.len() {
        return false;
    }
    (0..36).all(|k| match k {
        8 | 13 | 18 | 23 => b[i + k] == b'-',
        _ => b[i + k].is_ascii_hexdigit(),
    })
}

/// Replaces every UUID in `text`: row UUIDs by their placeholder, any other
/// UUID by an "unmapped" placeholder numbered in order of first appearance.
pub fn replace_uuids(text: &str, map: &UuidMap) -> String {
    let bytes = text.as_bytes();
    let mut others: HashMap<&str, String> = HashMap::new();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if boundary_before
            && is_uuid_at(bytes, i)
            && bytes.get(i + 36).is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            out.push_str(&text[copied..i]);
            let uuid = &text[i..i + 36];
            let next = others.len() + 1;
            match map.get(uuid) {
                Some(p) => out.push_str(p),
                None => out.push_str(others.entry(uuid).or_insert_with(|| unmapped(next))),
            }
            i += 36;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Sorts the elements of every `[U, U, ...]` list of UUIDs in `text`
/// (how the table formats and `ovs-vsctl list` print a set of UUIDs, in
/// UUID order).
pub fn sort_uuid_lists(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'[' {
            i += 1;
            continue;
        }
        let mut items = Vec::new();
        let mut j = i + 1;
        let mut end = None;
        while is_uuid_at(bytes, j) {
            items.push(&text[j..j + 36]);
            j += 36;
            if bytes.get(j) == Some(&b']') {
                end = Some(j + 1);
                break;
            }
            if text[j..].starts_with(", ") {
                j += 2;
            } else {
                break;
            }
        }
        match end {
            Some(end) if items.len() > 1 => {
                items.sort_unstable();
                out.push_str(&text[copied..i]);
                out.push('[');
                out.push_str(&items.join(", "));
                out.push(']');
                copied = end;
                i = end;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Canonical form of the default (table) format of `ovsdb-client dump`:
/// UUIDs renamed, UUID sets sorted, rows of each table sorted.
pub fn canonical_text_dump(text: &str, map: &UuidMap) -> String {
    let text = sort_uuid_lists(&replace_uuids(text, map));
    let mut out = String::new();
    for section in text.split("\n\n") {
        let lines: Vec<&str> = section.lines().collect();
        let head = lines.len().min(3);
        let mut rows: Vec<&str> = lines[head..].to_vec();
        rows.sort_unstable();
        for line in lines[..head].iter().chain(rows.iter()) {
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// Canonical form of `ovs-vsctl list` (records separated by blank lines):
/// UUIDs renamed, UUID sets sorted, records sorted.
pub fn canonical_vsctl_list(text: &str, map: &UuidMap) -> String {
    let text = sort_uuid_lists(&replace_uuids(text, map));
    let mut records: Vec<String> = text
        .split("\n\n")
        .map(|r| r.trim_end_matches('\n').to_string())
        .filter(|r| !r.is_empty())
        .collect();
    records.sort_unstable();
    records.join("\n\n") + "\n"
}

struct Node {
    line: String,
    children: Vec<Node>,
}

fn render_tree(nodes: &mut [Node]) -> Vec<String> {
    let mut rendered: Vec<String> = nodes
        .iter_mut()
        .map(|n| {
            let mut s = n.line.clone();
            s.push('\n');
            for child in render_tree(&mut n.children) {
                s.push_str(&child);
            }
            s
        })
        .collect();
    rendered.sort_unstable();
    rendered
}

/// Canonical form of `ovs-vsctl show`: UUIDs renamed, and the children of
/// every node (bridges, ports, interfaces, whose order follows their UUIDs)
/// sorted, each with its whole subtree.
pub fn canonical_vsctl_show(text: &str, map: &UuidMap) -> String {
    let text = replace_uuids(text, map);
    let mut root: Vec<Node> = Vec::new();
    // Path of (indent, index) from the root to the last node added.
    let mut stack: Vec<usize> = Vec::new();
    let mut indents: Vec<usize> = Vec::new();
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        while indents.last().is_some_and(|&i| i >= indent) {
            indents.pop();
            stack.pop();
        }
        let mut level = &mut root;
        for &k in &stack {
            level = &mut level[k].children;
        }
        level.push(Node {
            line: line.to_string(),
            children: Vec::new(),
        });
        stack.push(level.len() - 1);
        indents.push(indent);
    }
    render_tree(&mut root).concat()
}

/// `None` if `a == b`, else a report with the first differing line, a few
/// lines around it on each side, and both texts in full when they are short
/// enough to read.
pub fn diff_report(a_label: &str, a: &str, b_label: &str, b: &str) -> Option<String> {
    if a == b {
        return None;
    }
    let al: Vec<&str> = a.lines().collect();
    let bl: Vec<&str> = b.lines().collect();
    let first = al
        .iter()
        .zip(bl.iter())
        .position(|(x, y)| x != y)
        .unwrap_or(al.len().min(bl.len()));
    let from = first.saturating_sub(3);
    let context = |lines: &[&str]| -> String {
        lines
            .iter()
            .enumerate()
            .skip(from)
            .take(first - from + 4)
            .map(|(i, l)| format!("  {:>4}{} {l}\n", i + 1, if i == first { '>' } else { ' ' }))
            .collect()
    };
    let mut report = format!(
        "first difference at line {}:\n  {a_label}: {:?}\n  {b_label}: {:?}\n--- {a_label} \
         around it:\n{}--- {b_label} around it:\n{}",
        first + 1,
        al.get(first).copied().unwrap_or("<end>"),
        bl.get(first).copied().unwrap_or("<end>"),
        context(&al),
        context(&bl),
    );
    if al.len() + bl.len() <= 400 {
        report.push_str(&format!(
            "=== {a_label} (full) ===\n{a}\n=== {b_label} (full) ===\n{b}"
        ));
    }
    Some(report)
}

/// The first differing line of two long texts (line number and both
/// lines), or `None` if they are equal. For outputs too big to print whole.
pub fn first_difference(a: &str, b: &str) -> Option<String> {
    if a == b {
        return None;
    }
    let mut la = a.lines();
    let mut lb = b.lines();
    let mut n = 1;
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            (x, y) => {
                let cut = |l: Option<&str>| -> String {
                    l.map_or("<end>".to_string(), |l| l.chars().take(300).collect())
                };
                return Some(format!(
                    "line {n}: {:?} vs {:?} ({} vs {} lines)",
                    cut(x),
                    cut(y),
                    a.lines().count(),
                    b.lines().count()
                ));
            }
        }
    }
}

/// The first place where two JSON values differ, as a path and both
/// values, or `None` if they are equal.
pub fn json_difference(a: &Value, b: &Value) -> Option<String> {
    fn walk(a: &Value, b: &Value, path: &mut String) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let len = path.len();
                    path.push('/');
                    path.push_str(k);
                    let found = match (x.get(k), y.get(k)) {
                        (Some(va), Some(vb)) => walk(va, vb, path),
                        (va, vb) => Some(format!("{path}: {va:?} vs {vb:?}")),
                    };
                    if found.is_some() {
                        return found;
                    }
                    path.truncate(len);
                }
                None
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (va, vb)) in x.iter().zip(y.iter()).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    if let Some(found) = walk(va, vb, path) {
                        return Some(found);
                    }
                    path.truncate(len);
                }
                None
            }
            _ if a == b => None,
            _ => Some(format!("{path}: {a} vs {b}")),
        }
    }
    walk(a, b, &mut String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(name: &str, headings: &[&str], rows: Vec<Vec<Value>>) -> TableDump {
        TableDump {
            name: name.into(),
            headings: headings.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }

    const U1: &str = "11111111-0000-0000-0000-000000000000";
    const U2: &str = "22222222-0000-0000-0000-000000000000";
    const U3: &str = "33333333-0000-0000-0000-000000000000";

    fn db(port_a: &str, port_b: &str, bridge: &str) -> Vec<TableDump> {
        vec![
            table(
                "Bridge",
                &["_uuid", "name", "ports"],
                vec![vec![
                    json!(["uuid", bridge]),
                    json!("br0"),
                    json!(["set", [["uuid", port_a], ["uuid", port_b]]]),
                ]],
            ),
            table(
                "Port",
                &["_uuid", "name"],
                vec![
                    vec![json!(["uuid", port_a]), json!("p1")],
                    vec![json!(["uuid", port_b]), json!("p2")],
                ],
            ),
        ]
    }

    #[test]
    fn same_data_different_uuids_compare_equal() {
        let a = db(U1, U2, U3);
        let b = db(U3, U1, U2);
        let ra = render_dump(&a, &canonical_uuids(&a));
        let rb = render_dump(&b, &canonical_uuids(&b));
        assert_eq!(ra, rb);
        assert!(!ra.contains("1111"));
    }

    #[test]
    fn different_references_compare_different() {
        let a = db(U1, U2, U3);
        let mut b = db(U1, U2, U3);
        // Same rows, but the bridge no longer references p2.
        b[0].rows[0][2] = json!(["set", [["uuid", U1]]]);
        let ra = render_dump(&a, &canonical_uuids(&a));
        let rb = render_dump(&b, &canonical_uuids(&b));
        assert_ne!(ra, rb);
    }

    #[test]
    fn text_forms() {
        let a = db(U1, U2, U3);
        let map = canonical_uuids(&a);
        let text = format!("x [{U2}, {U1}] {U3} 44444444-0000-0000-0000-000000000000\n");
        let out = sort_uuid_lists(&replace_uuids(&text, &map));
        assert!(out.contains(&format!("[{}, {}]", placeholder(2), placeholder(3))));
        assert!(out.ends_with("ffffffff-ffff-ffff-ffff-000000000001\n"));
        let show = "root\n    b\n        y\n        x\n    a\n";
        assert_eq!(
            canonical_vsctl_show(show, &map),
            "root\n    a\n    b\n        x\n        y\n"
        );
        assert!(diff_report("a", "x\ny\n", "b", "x\nz\n").is_some_and(|r| r.contains("line 2")));
    }
}
