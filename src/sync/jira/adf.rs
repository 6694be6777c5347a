//! Atlassian Document Format (ADF) → plain text.
//!
//! Jira Cloud's REST v3 sends descriptions and comments as ADF: a JSON tree
//! of nodes (`doc`, `paragraph`, `text`, `hardBreak`, `bulletList`,
//! `orderedList`, `listItem`, `codeBlock`, `blockquote`, `heading`,
//! `mention`, `emoji`, `inlineCard`, `table`…). The store keeps plain text
//! only (ticket text is untrusted and is never rendered as markup), so the
//! tree is flattened here:
//!
//! - block nodes end with a line break; paragraphs are separated by a blank line;
//! - list items start with `- ` (bullets) or `1. ` (ordered), nested lists indented;
//! - code blocks keep their lines verbatim; a link keeps its URL after the
//!   text when the two differ (`text (https://…)`); cards show their URL;
//! - mentions show their display text (`@Ann`), emoji their text or shortName;
//! - an unknown node type keeps the text of its children (and its `text` or
//!   `attrs.text` / `attrs.url` if it has one): a new node type never fails a sync.
//!
//! A plain JSON string (the v2 API, or a server that sends text) is taken as is.

use serde_json::Value;

/// The longest text kept from one document (bytes); the rest is cut at a
/// character boundary with a note, so one pasted log cannot bloat the store.
pub const MAX_TEXT: usize = 1 << 20;

/// The plain text of an ADF document (or of a plain string).
pub fn to_text(doc: &Value) -> String {
    let mut out = Writer::default();
    match doc {
        Value::String(s) => out.text(s),
        Value::Null => {}
        v => node(v, &mut out, 0),
    }
    finish(out.buf)
}

#[derive(Default)]
struct Writer {
    buf: String,
}

impl Writer {
    fn text(&mut self, s: &str) {
        if self.buf.len() <= MAX_TEXT {
            self.buf.push_str(s);
        }
    }

    /// End the current line, unless the text is empty or already ends one.
    fn line_end(&mut self) {
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.buf.push('\n');
        }
    }

    /// End the current block with a blank line after it.
    fn block_end(&mut self) {
        self.line_end();
        if !self.buf.is_empty() && !self.buf.ends_with("\n\n") {
            self.buf.push('\n');
        }
    }
}

fn children(v: &Value) -> &[Value] {
    v.get("content").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

fn attr<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get("attrs").and_then(|a| a.get(key)).and_then(Value::as_str)
}

fn link_of(v: &Value) -> Option<&str> {
    v.get("marks")?.as_array()?.iter().find(|m| m.get("type").and_then(Value::as_str) == Some("link")).and_then(|m| attr(m, "href"))
}

/// Depth guards recursion (serde_json already refuses documents nested
/// deeper than 128, this is a second fence).
fn node(v: &Value, out: &mut Writer, depth: usize) {
    if depth > 200 {
        return;
    }
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "text" => {
            let text = v.get("text").and_then(Value::as_str).unwrap_or("");
            out.text(text);
            if let Some(href) = link_of(v).filter(|h| *h != text) {
                out.text(&format!(" ({href})"));
            }
        }
        "hardBreak" => out.text("\n"),
        "mention" => {
            let t = attr(v, "text").unwrap_or("@someone");
            out.text(if t.starts_with('@') { t.to_string() } else { format!("@{t}") }.as_str());
        }
        "emoji" => out.text(attr(v, "text").or_else(|| attr(v, "shortName")).unwrap_or("")),
        "inlineCard" | "blockCard" | "embedCard" => {
            out.text(attr(v, "url").unwrap_or(""));
            if kind != "inlineCard" {
                out.block_end();
            }
        }
        "date" => out.text(attr(v, "timestamp").unwrap_or("")),
        "status" => out.text(&format!("[{}]", attr(v, "text").unwrap_or(""))),
        "rule" => {
            out.line_end();
            out.text("---");
            out.block_end();
        }
        "codeBlock" => {
            out.line_end();
            for c in children(v) {
                node(c, out, depth + 1);
            }
            out.block_end();
        }
        "bulletList" | "orderedList" => {
            let start = v.get("attrs").and_then(|a| a.get("order")).and_then(Value::as_u64).unwrap_or(1);
            let indent = "  ".repeat(list_depth(depth));
            out.line_end();
            for (i, item) in children(v).iter().enumerate() {
                let marker = if kind == "bulletList" { "- ".to_string() } else { format!("{}. ", start + i as u64) };
                out.text(&indent);
                out.text(&marker);
                list_item(item, out, depth + 1);
                out.line_end();
            }
            if depth <= 1 {
                out.block_end();
            }
        }
        "tableRow" => {
            let cells: Vec<String> = children(v).iter().map(|c| {
                let mut w = Writer::default();
                node(c, &mut w, depth + 1);
                w.buf.trim().replace('\n', " ")
            }).collect();
            out.text(&cells.join(" | "));
            out.line_end();
        }
        "paragraph" | "heading" | "blockquote" | "panel" | "table" | "mediaSingle" | "mediaGroup" | "expand"
        | "nestedExpand" | "decisionList" | "taskList" => {
            if let Some(title) = attr(v, "title") {
                out.text(title);
                out.line_end();
            }
            for c in children(v) {
                node(c, out, depth + 1);
            }
            out.block_end();
        }
        _ => {
            // doc, listItem outside a list, taskItem, media, an unknown type:
            // keep whatever text it carries, then its children's.
            if let Some(t) = v.get("text").and_then(Value::as_str).or_else(|| attr(v, "text")) {
                out.text(t);
            } else if let Some(u) = attr(v, "url") {
                out.text(u);
            }
            for c in children(v) {
                node(c, out, depth + 1);
            }
            if matches!(kind, "taskItem" | "decisionItem") {
                out.line_end();
            }
        }
    }
}

/// How deeply nested a list is, from the node depth (lists sit at depth 1,
/// nested ones two levels further down per level: list → item → list).
fn list_depth(depth: usize) -> usize {
    depth.saturating_sub(1) / 2
}

/// A list item's content on its marker's line: paragraphs joined by line
/// breaks, nested lists below it.
fn list_item(item: &Value, out: &mut Writer, depth: usize) {
    for (i, c) in children(item).iter().enumerate() {
        match c.get("type").and_then(Value::as_str) {
            Some("paragraph") => {
                if i > 0 {
                    out.line_end();
                }
                for t in children(c) {
                    node(t, out, depth + 2);
                }
            }
            _ => node(c, out, depth + 1),
        }
    }
}

/// Trim trailing blank lines and cut an over-long text with a note.
fn finish(mut s: String) -> String {
    if s.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("\n[… cut: the text is longer than 1 MiB]");
    }
    let trimmed = s.trim_end().len();
    s.truncate(trimmed);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(content: Value) -> Value {
        json!({"type": "paragraph", "content": content})
    }
    fn t(s: &str) -> Value {
        json!({"type": "text", "text": s})
    }

    #[test]
    fn paragraphs_breaks_mentions_and_links_become_readable_text() {
        let doc = json!({"type": "doc", "version": 1, "content": [
            p(json!([t("Posting fails"), {"type": "hardBreak"}, t("since 9:00, ask "),
                     {"type": "mention", "attrs": {"id": "5b10", "text": "@Ann Lee"}}, t(".")])),
            p(json!([{"type": "text", "text": "the log", "marks": [{"type": "link", "attrs": {"href": "https://x.example/log"}}]},
                     t(" and "), {"type": "inlineCard", "attrs": {"url": "https://x.atlassian.net/browse/ERP-2"}}]))
        ]});
        assert_eq!(
            to_text(&doc),
            "Posting fails\nsince 9:00, ask @Ann Lee.\n\nthe log (https://x.example/log) and https://x.atlassian.net/browse/ERP-2"
        );
    }

    #[test]
    fn lists_nested_lists_and_code_blocks_keep_their_shape() {
        let item = |c: Value| json!({"type": "listItem", "content": c});
        let doc = json!({"type": "doc", "content": [
            p(json!([t("Steps:")])),
            {"type": "orderedList", "attrs": {"order": 1}, "content": [
                item(json!([p(json!([t("open VA01")]))])),
                item(json!([p(json!([t("post")])), {"type": "bulletList", "content": [item(json!([p(json!([t("fails")]))]))]}]))
            ]},
            {"type": "codeBlock", "attrs": {"language": "text"}, "content": [t("ERR 42\n  at post()")]},
            p(json!([t("end")]))
        ]});
        assert_eq!(to_text(&doc), "Steps:\n\n1. open VA01\n2. post\n  - fails\n\nERR 42\n  at post()\n\nend");
    }

    #[test]
    fn unknown_nodes_keep_their_text_and_odd_input_never_fails() {
        let doc = json!({"type": "doc", "content": [
            {"type": "futureWidget", "attrs": {"text": "widget says hi"}, "content": [t(" and more")]},
            {"type": "paragraph"}, {"no_type": true}, 42, null
        ]});
        assert_eq!(to_text(&doc), "widget says hi and more");
        assert_eq!(to_text(&json!("plain v2 text")), "plain v2 text");
        assert_eq!(to_text(&Value::Null), "");
        assert_eq!(to_text(&json!({"type": "doc", "content": "not a list"})), "");
    }

    #[test]
    fn an_overlong_text_is_cut_with_a_note_at_a_character_boundary() {
        let big = "é".repeat(MAX_TEXT); // 2 MiB of text
        let s = to_text(&json!({"type": "doc", "content": [p(json!([t(&big)]))]}));
        assert!(s.len() < MAX_TEXT + 100 && s.ends_with("longer than 1 MiB]"), "{}", s.len());
    }
}
