//! The table printer of OVS's `lib/table.c`, byte for byte: the `table`,
//! `list`, `html`, `csv` and `json` formats, cell text in the `string`,
//! `bare` or `json` data formats, captions, optional timestamps, and the
//! blank line OVS puts between consecutive tables of one run.

use crate::json::{Flags, Json, Object};
use crate::ovsdb::{Datum, Type, Uuid};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    List,
    Html,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellFormat {
    String,
    Bare,
    Json,
}

/// `struct table_style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub format: Format,
    pub cell_format: CellFormat,
    pub headings: bool,
    pub json_flags: Flags,
    /// 0 means unlimited.
    pub max_column_width: i32,
}

impl Default for Style {
    /// `TABLE_STYLE_DEFAULT`.
    fn default() -> Style {
        Style {
            format: Format::List,
            cell_format: CellFormat::String,
            headings: true,
            json_flags: Flags::SORT,
            max_column_width: 0,
        }
    }
}

impl Style {
    /// `table_parse_format`; the error is OVS's fatal message.
    pub fn parse_format(&mut self, s: &str) -> Result<(), String> {
        self.format = match s {
            "table" => Format::Table,
            "list" => Format::List,
            "html" => Format::Html,
            "csv" => Format::Csv,
            "json" => Format::Json,
            _ => return Err(format!("unknown output format \"{s}\"")),
        };
        Ok(())
    }

    /// `table_parse_cell_format`.
    pub fn parse_cell_format(&mut self, s: &str) -> Result<(), String> {
        self.cell_format = match s {
            "string" => CellFormat::String,
            "bare" => CellFormat::Bare,
            "json" => CellFormat::Json,
            _ => return Err(format!("unknown data format \"{s}\"")),
        };
        Ok(())
    }
}

/// One cell: fixed text, or a datum in JSON with its type (formatted per
/// the style), or nothing.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: Option<String>,
    pub json: Option<Json>,
    pub type_: Option<Type>,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: Some(s.into()),
            ..Cell::default()
        }
    }

    pub fn datum(json: Json, type_: Option<Type>) -> Cell {
        Cell {
            json: Some(json),
            type_,
            ..Cell::default()
        }
    }

    /// `cell_to_text`.
    fn to_text(&self, style: &Style) -> String {
        if let Some(t) = &self.text {
            return t.clone();
        }
        let Some(json) = &self.json else {
            return String::new();
        };
        match &self.type_ {
            Some(t) if style.cell_format != CellFormat::Json => match Datum::from_json(t, json) {
                Ok(d) => {
                    if style.cell_format == CellFormat::String {
                        d.to_ovs_string(t)
                    } else {
                        d.to_bare(t)
                    }
                }
                Err(_) => json.to_sorted_string(),
            },
            _ => json.to_sorted_string(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: Option<String>,
    pub timestamp: bool,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(headings: Vec<String>) -> Table {
        Table {
            headings,
            ..Table::default()
        }
    }

    /// Adds a row; missing trailing cells are empty.
    pub fn add_row(&mut self, mut cells: Vec<Cell>) {
        cells.resize_with(self.headings.len(), Cell::default);
        self.rows.push(cells);
    }
}

/// Prints tables as one OVS process does: every table but the first of a
/// run starts with a blank line (except in HTML and JSON).
#[derive(Debug)]
pub struct Printer {
    pub style: Style,
    first_table: bool,
    /// The wall clock in milliseconds since the epoch, for `--timestamp`.
    pub clock: fn() -> i64,
}

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Printer {
    pub fn new(style: Style) -> Printer {
        Printer {
            style,
            first_table: true,
            clock: wall_clock_ms,
        }
    }

    /// `table_format`.
    pub fn format(&mut self, table: &Table) -> Vec<u8> {
        let mut out = Vec::new();
        match self.style.format {
            Format::Table => self.print_table(table, &mut out),
            Format::List => self.print_list(table, &mut out),
            Format::Html => self.print_html(table, &mut out),
            Format::Csv => self.print_csv(table, &mut out),
            Format::Json => self.print_json(table, &mut out),
        }
        out
    }

    fn separator(&mut self, out: &mut Vec<u8>) {
        if self.first_table {
            self.first_table = false;
        } else {
            out.push(b'\n');
        }
    }

    fn timestamp_text(&self) -> String {
        format_timestamp((self.clock)())
    }

    fn put_timestamp(&self, table: &Table, out: &mut Vec<u8>) {
        if table.timestamp {
            out.extend_from_slice(self.timestamp_text().as_bytes());
            out.push(b'\n');
        }
    }

    fn put_caption(table: &Table, out: &mut Vec<u8>) {
        if let Some(c) = &table.caption {
            out.extend_from_slice(c.as_bytes());
            out.push(b'\n');
        }
    }

    fn texts(&self, table: &Table) -> Vec<Vec<String>> {
        table
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_text(&self.style)).collect())
            .collect()
    }

    fn print_table(&mut self, table: &Table, out: &mut Vec<u8>) {
        self.separator(out);
        self.put_timestamp(table, out);
        Self::put_caption(table, out);
        let texts = self.texts(table);
        let mut widths = Vec::with_capacity(table.headings.len());
        for (x, heading) in table.headings.iter().enumerate() {
            let mut w = texts
                .iter()
                .map(|r| r.get(x).map_or(0, String::len))
                .max()
                .unwrap_or(0);
            let max = self.style.max_column_width;
            if max > 0 && w > max as usize {
                w = max as usize;
            }
            if self.style.headings {
                w = w.max(heading.len());
            }
            widths.push(w);
        }

        if self.style.headings {
            let mut line = Vec::new();
            for (x, heading) in table.headings.iter().enumerate() {
                if x > 0 {
                    line.push(b' ');
                }
                pad(&mut line, heading.as_bytes(), widths[x], false);
            }
            finish_line(out, line);
            let mut line = Vec::new();
            for (x, w) in widths.iter().enumerate() {
                if x > 0 {
                    line.push(b' ');
                }
                line.extend(std::iter::repeat_n(b'-', *w));
            }
            finish_line(out, line);
        }
        for row in &texts {
            let mut line = Vec::new();
            for (x, text) in row.iter().enumerate() {
                if x > 0 {
                    line.push(b' ');
                }
                pad(&mut line, text.as_bytes(), widths[x], true);
            }
            finish_line(out, line);
        }
    }

    fn print_list(&mut self, table: &Table, out: &mut Vec<u8>) {
        self.separator(out);
        self.put_timestamp(table, out);
        Self::put_caption(table, out);
        let texts = self.texts(table);
        for (y, row) in texts.iter().enumerate() {
            if y > 0 {
                out.push(b'\n');
            }
            for (x, text) in row.iter().enumerate() {
                if self.style.headings {
                    let heading = table.headings[x].as_bytes();
                    pad(out, heading, 20, false);
                    out.extend_from_slice(b": ");
                }
                out.extend_from_slice(text.as_bytes());
                out.push(b'\n');
            }
        }
    }

    fn print_html(&mut self, table: &Table, out: &mut Vec<u8>) {
        self.put_timestamp(table, out);
        out.extend_from_slice(b"<table border=1>\n");
        if let Some(c) = &table.caption {
            html_cell("caption", c, out);
        }
        if self.style.headings {
            out.extend_from_slice(b"  <tr>\n");
            for h in &table.headings {
                html_cell("th", h, out);
            }
            out.extend_from_slice(b"  </tr>\n");
        }
        let texts = self.texts(table);
        for row in &texts {
            out.extend_from_slice(b"  <tr>\n");
            for (x, content) in row.iter().enumerate() {
                if table.headings[x] == "_uuid" {
                    out.extend_from_slice(b"    <td><a name=\"");
                    escape_html(content.as_bytes(), out);
                    out.extend_from_slice(b"\">");
                    // OVS copies the first 8 bytes even of a shorter text,
                    // stopping at its terminating NUL.
                    let n = content.len().min(8);
                    escape_html(&content.as_bytes()[..n], out);
                    out.extend_from_slice(b"</a></td>\n");
                } else {
                    html_cell("td", content, out);
                }
            }
            out.extend_from_slice(b"  </tr>\n");
        }
        out.extend_from_slice(b"</table>\n");
    }

    fn print_csv(&mut self, table: &Table, out: &mut Vec<u8>) {
        self.separator(out);
        self.put_timestamp(table, out);
        Self::put_caption(table, out);
        if self.style.headings {
            for (x, h) in table.headings.iter().enumerate() {
                if x > 0 {
                    out.push(b',');
                }
                csv_cell(h, out);
            }
            out.push(b'\n');
        }
        let texts = self.texts(table);
        for row in &texts {
            for (x, t) in row.iter().enumerate() {
                if x > 0 {
                    out.push(b',');
                }
                csv_cell(t, out);
            }
            out.push(b'\n');
        }
    }

    fn print_json(&mut self, table: &Table, out: &mut Vec<u8>) {
        let mut o = Object::new();
        if let Some(c) = &table.caption {
            o.put("caption", Json::string(c));
        }
        if table.timestamp {
            o.put("time", Json::String(self.timestamp_text()));
        }
        o.put(
            "headings",
            Json::Array(table.headings.iter().map(Json::string).collect()),
        );
        let data = table
            .rows
            .iter()
            .map(|r| {
                Json::Array(
                    r.iter()
                        .map(|c| match (&c.text, &c.json) {
                            (Some(t), _) => Json::string(t),
                            (None, Some(j)) => j.clone(),
                            (None, None) => Json::Null,
                        })
                        .collect(),
                )
            })
            .collect();
        o.put("data", Json::Array(data));
        out.extend_from_slice(
            Json::Object(o)
                .to_ovs_string(self.style.json_flags)
                .as_bytes(),
        );
        out.push(b'\n');
    }
}

/// `%-*s` (no truncation) or `%-*.*s` (truncated to the width), in bytes.
fn pad(out: &mut Vec<u8>, text: &[u8], width: usize, truncate: bool) {
    let text = if truncate && text.len() > width {
        &text[..width]
    } else {
        text
    };
    out.extend_from_slice(text);
    out.extend(std::iter::repeat_n(b' ', width.saturating_sub(text.len())));
}

/// `table_finish_line`: trailing spaces dropped, newline added.
fn finish_line(out: &mut Vec<u8>, mut line: Vec<u8>) {
    while line.last() == Some(&b' ') {
        line.pop();
    }
    out.extend_from_slice(&line);
    out.push(b'\n');
}

fn escape_html(content: &[u8], out: &mut Vec<u8>) {
    for &c in content {
        match c {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            c => out.push(c),
        }
    }
}

/// `table_print_html_cell__`: UUIDs inside the text become links.
fn html_cell(element: &str, content: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(format!("    <{element}>").as_bytes());
    let bytes = content.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if Uuid::parse_prefix(&bytes[i..]).is_some() {
            let uuid = &bytes[i..i + 36];
            out.extend_from_slice(b"<a href=\"#");
            out.extend_from_slice(uuid);
            out.extend_from_slice(b"\">");
            out.extend_from_slice(&uuid[..8]);
            out.extend_from_slice(b"</a>");
            i += 36;
        } else {
            escape_html(&bytes[i..i + 1], out);
            i += 1;
        }
    }
    out.extend_from_slice(format!("</{element}>\n").as_bytes());
}

fn csv_cell(content: &str, out: &mut Vec<u8>) {
    if !content.contains(['\n', '"', ',']) {
        out.extend_from_slice(content.as_bytes());
    } else {
        out.push(b'"');
        for &c in content.as_bytes() {
            if c == b'"' {
                out.extend_from_slice(b"\"\"");
            } else {
                out.push(c);
            }
        }
        out.push(b'"');
    }
}

/// `xastrftime_msec("%Y-%m-%d %H:%M:%S.###", msec, true)`: UTC.
pub fn format_timestamp(msec: i64) -> String {
    let secs = msec.div_euclid(1000);
    let ms = msec.rem_euclid(1000);
    let (y, m, d, hh, mm, ss) = civil_from_unix(secs);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}.{ms:03}")
}

/// Splits Unix seconds into UTC calendar fields.
pub fn civil_from_unix(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(vec!["name".into(), "value".into()]);
        t.add_row(vec![Cell::text("a"), Cell::text("x,y")]);
        t.add_row(vec![Cell::text("longer"), Cell::text("")]);
        t
    }

    #[test]
    fn table_format() {
        let mut p = Printer::new(Style {
            format: Format::Table,
            ..Style::default()
        });
        let out = p.format(&sample());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name   value\n------ -----\na      x,y\nlonger\n"
        );
        // The second table of a run is preceded by a blank line.
        assert!(p.format(&sample()).starts_with(b"\n"));
    }

    #[test]
    fn list_and_csv() {
        let mut p = Printer::new(Style::default());
        let out = String::from_utf8(p.format(&sample())).unwrap();
        assert_eq!(
            out,
            "name                : a\nvalue               : x,y\n\nname                : longer\nvalue               : \n"
        );
        let mut p = Printer::new(Style {
            format: Format::Csv,
            ..Style::default()
        });
        let out = String::from_utf8(p.format(&sample())).unwrap();
        assert_eq!(out, "name,value\na,\"x,y\"\nlonger,\n");
    }

    #[test]
    fn timestamps_are_utc() {
        assert_eq!(format_timestamp(0), "1970-01-01 00:00:00.000");
        assert_eq!(
            format_timestamp(1_700_000_000_123),
            "2023-11-14 22:13:20.123"
        );
    }
}
