//! Jekyll's Liquid tags, turned into plain Markdown before the post is
//! parsed (brief does not run Liquid; it keeps what a reader of the site
//! would see, and says what it could not keep):
//! - `{% raw %}…{% endraw %}`: the content as written, tags gone (also in
//!   code, as Jekyll runs Liquid before Markdown);
//! - `{% highlight ruby %}…{% endhighlight %}`: a fenced code block;
//! - `{% comment %}…{% endcomment %}`: left out, as on the site;
//! - `{% post_url name %}`, `{% link path %}`: the name or path they point
//!   to (brief does not know the site's addresses);
//! - `{{ site.baseurl }}`, `{{ site.url }}`: empty, so `{{ site.baseurl
//!   }}/docs/` reads `/docs/`;
//! - loops and captures (`{% for %}…{% endfor %}`) are programs, not text:
//!   left out; conditions (`{% if %}`) keep their text without the tags;
//!   includes, other tags and other `{{ … }}` outputs are left out. Each of
//!   these is reported once per post.
//!
//! Outside `raw`, code blocks and code spans are left as written. A line
//! left out stays as an empty line, so diagnostics keep their line numbers.

use std::collections::BTreeSet;
use std::ops::Range;

/// The text with its Liquid resolved, and one note per kind of thing left
/// out. `None` when the text has no Liquid tag (decided without parsing).
pub fn normalise(text: &str) -> Option<(String, Vec<String>)> {
    let site_variable = ["{{ site.", "{{site.", "{{ page.", "{{page."];
    if !text.contains("{%") && !site_variable.iter().any(|v| text.contains(v)) {
        return None;
    }
    let code = super::site_engines::code_ranges(text);
    let mut n = Normaliser {
        text,
        code: &code,
        out: String::with_capacity(text.len()),
        left_out: BTreeSet::new(),
        pointers: BTreeSet::new(),
        conditions: false,
    };
    n.run();
    let mut notes = Vec::new();
    if !n.left_out.is_empty() {
        notes.push(format!(
            "Liquid {} left out (brief does not run Liquid)",
            n.left_out.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !n.pointers.is_empty() {
        notes.push(format!(
            "Liquid {} printed as the name they point to (brief does not know the site's addresses)",
            n.pointers.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if n.conditions {
        notes.push(
            "Liquid conditions ({% if %}) are not evaluated: every branch's text is kept".into(),
        );
    }
    Some((n.out, notes))
}

struct Normaliser<'t> {
    text: &'t str,
    code: &'t [Range<usize>],
    out: String,
    left_out: BTreeSet<String>,
    pointers: BTreeSet<String>,
    conditions: bool,
}

/// One `{% … %}` tag: where it is and its words.
struct Tag<'t> {
    range: Range<usize>,
    name: &'t str,
    args: &'t str,
}

/// Block tags whose content is a program: left out up to their end tag.
const PROGRAMS: [&str; 3] = ["for", "capture", "tablerow"];
/// Tags that only steer: dropped, their text kept.
const CONDITIONS: [&str; 9] = [
    "if",
    "elsif",
    "else",
    "endif",
    "unless",
    "endunless",
    "case",
    "when",
    "endcase",
];
/// Tags that print nothing.
const SILENT: [&str; 6] = [
    "assign",
    "increment",
    "decrement",
    "break",
    "continue",
    "cycle",
];

impl<'t> Normaliser<'t> {
    fn in_code(&self, at: usize) -> bool {
        self.code.iter().any(|r| r.contains(&at))
    }

    fn run(&mut self) {
        let text = self.text;
        let mut at = 0;
        while let Some(found) = next_open(text, at) {
            self.out.push_str(&text[at..found]);
            at = found;
            if text[at..].starts_with("{{") {
                at = self.output(at);
                continue;
            }
            let Some(tag) = tag_at(text, at) else {
                // An unclosed `{%`: text.
                self.out.push_str("{%");
                at += 2;
                continue;
            };
            at = self.tag(tag);
        }
        self.out.push_str(&text[at..]);
    }

    /// Handles the tag; returns where the text goes on.
    fn tag(&mut self, tag: Tag<'t>) -> usize {
        let text = self.text;
        if tag.name == "raw" {
            return match find_tag(text, tag.range.end, "endraw") {
                Some(end) => {
                    self.out.push_str(&text[tag.range.end..end.range.start]);
                    end.range.end
                }
                None => tag.range.end,
            };
        }
        if self.in_code(tag.range.start) {
            self.out.push_str(&text[tag.range.clone()]);
            return tag.range.end;
        }
        match tag.name {
            "highlight" => {
                let end = find_tag(text, tag.range.end, "endhighlight");
                let body_end = end.as_ref().map_or(text.len(), |e| e.range.start);
                let body = &text[tag.range.end..body_end];
                let fence = "`".repeat(longest_backtick_run(body).max(2) + 1);
                let lang = tag.args.split_whitespace().next().unwrap_or("");
                if !self.out.is_empty() && !self.out.ends_with('\n') {
                    self.out.push('\n');
                }
                self.out.push_str(&fence);
                self.out.push_str(lang);
                if !body.starts_with('\n') {
                    self.out.push('\n');
                }
                self.out.push_str(body);
                if !self.out.ends_with('\n') {
                    self.out.push('\n');
                }
                self.out.push_str(&fence);
                end.map_or(text.len(), |e| e.range.end)
            }
            "comment" => {
                let end =
                    find_tag(text, tag.range.end, "endcomment").map_or(text.len(), |e| e.range.end);
                self.keep_lines(tag.range.start..end);
                end
            }
            "post_url" | "link" => {
                self.pointers.insert(format!("{{% {} %}}", tag.name));
                self.out.push_str(tag.args.trim());
                tag.range.end
            }
            name if PROGRAMS.contains(&name) => {
                let end = matching_end(text, &tag).unwrap_or(tag.range.end);
                self.left_out.insert(format!("{{% {name} %}}"));
                self.keep_lines(tag.range.start..end);
                end
            }
            name if CONDITIONS.contains(&name) => {
                self.conditions = true;
                tag.range.end
            }
            name if SILENT.contains(&name) => tag.range.end,
            name => {
                self.left_out.insert(format!("{{% {name} %}}"));
                self.keep_lines(tag.range.clone());
                tag.range.end
            }
        }
    }

    /// A `{{ … }}` output at `at`: the site's address prefixes print as
    /// nothing, others are left out; Hugo's `{{<` / `{{%` and anything in
    /// code stay as written.
    fn output(&mut self, at: usize) -> usize {
        let text = self.text;
        let rest = &text[at + 2..];
        // An output may wrap onto the next line; a stray `{{` is not let
        // swallow a paragraph.
        let close = rest.find("}}").filter(|&c| c <= 200);
        let hugo = rest.starts_with('<') || rest.starts_with('%');
        let (Some(close), false, false) = (close, hugo, self.in_code(at)) else {
            self.out.push_str("{{");
            return at + 2;
        };
        let expr = rest[..close].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let quoted = ['"', '\''].into_iter().find_map(|q| {
            let inner = expr.strip_prefix(q)?;
            Some(&inner[..inner.find(q)?])
        });
        let object = expr.split(['|', ' ']).next().unwrap_or("");
        match quoted {
            // `{{ "/docs/" | relative_url }}`: the address as written.
            Some(literal) => self.out.push_str(literal),
            None if matches!(object, "site.baseurl" | "site.url" | "site.github.url") => {}
            None => {
                self.left_out.insert(format!("{{{{ {object} }}}}"));
            }
        }
        let end = at + 2 + close + 2;
        self.keep_lines(at..end);
        end
    }

    /// Leaves `range` out but keeps its line breaks.
    fn keep_lines(&mut self, range: Range<usize>) {
        let breaks = self.text[range].matches('\n').count();
        self.out.extend(std::iter::repeat_n('\n', breaks));
    }
}

/// The next `{%` or `{{` at or after `from`.
fn next_open(text: &str, from: usize) -> Option<usize> {
    let rest = &text[from..];
    let tag = rest.find("{%");
    let output = rest.find("{{");
    let first = match (tag, output) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(from + first)
}

/// The tag opening at `at` (`{%` or `{%-`), when it is closed.
fn tag_at(text: &str, at: usize) -> Option<Tag<'_>> {
    let inner_start = at + 2;
    let close = text[inner_start..].find("%}")? + inner_start;
    let inner = text[inner_start..close].trim_matches(|c: char| c == '-' || c.is_whitespace());
    let (name, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    Some(Tag {
        range: at..close + 2,
        name,
        args,
    })
}

/// The first `{% name %}` tag at or after `from`.
fn find_tag<'t>(text: &'t str, from: usize, name: &str) -> Option<Tag<'t>> {
    let mut at = from;
    while let Some(found) = text[at..].find("{%") {
        let tag = tag_at(text, at + found)?;
        if tag.name == name {
            return Some(tag);
        }
        at = tag.range.end;
    }
    None
}

/// Where the block `open` starts ends (after its `end…` tag), counting
/// nested blocks of the same name.
fn matching_end(text: &str, open: &Tag) -> Option<usize> {
    let end_name = format!("end{}", open.name);
    let mut depth = 1;
    let mut at = open.range.end;
    while let Some(found) = text[at..].find("{%") {
        let tag = tag_at(text, at + found)?;
        if tag.name == open.name {
            depth += 1;
        } else if tag.name == end_name {
            depth -= 1;
            if depth == 0 {
                return Some(tag.range.end);
            }
        }
        at = tag.range.end;
    }
    None
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    fn norm(text: &str) -> String {
        normalise(text).map_or(text.to_string(), |(t, _)| t)
    }

    #[test]
    fn raw_keeps_its_content_even_in_code() {
        assert_eq!(
            norm("Use `{% raw %}{{ site.url }}{% endraw %}` here.\n"),
            "Use `{{ site.url }}` here.\n"
        );
        assert_eq!(
            norm("[`{% raw %}{% highlight %}{% endraw %}` now](u)\n"),
            "[`{% highlight %}` now](u)\n"
        );
    }

    #[test]
    fn highlight_becomes_a_fenced_block() {
        assert_eq!(
            norm("Before\n\n{% highlight ruby linenos %}\nputs 1\n{% endhighlight %}\n\nAfter\n"),
            "Before\n\n```ruby\nputs 1\n```\n\nAfter\n"
        );
    }

    #[test]
    fn programs_go_with_their_lines_kept() {
        let text = "A\n{% assign xs = \"1|2\" | split: \"|\" %}\n{% for x in xs %}\n[#{{ x }}]: u/{{ x }}\n{% endfor %}\nB {{ site.baseurl }}/docs/\n";
        let (out, notes) = normalise(text).unwrap();
        assert_eq!(out, "A\n\n\n\n\nB /docs/\n");
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(notes[0].contains("{% for %}"), "{notes:?}");
    }

    #[test]
    fn pointers_conditions_comments_and_code() {
        let (out, notes) = normalise(
            "[x]({% post_url 2013-05-06-one %}) {% if a %}yes{% endif %}\n{% comment %}\nno\n{% endcomment %}\n```\n{% if %}\n```\n",
        )
        .unwrap();
        assert_eq!(out, "[x](2013-05-06-one) yes\n\n\n\n```\n{% if %}\n```\n");
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn site_variables_alone_are_liquid_too() {
        let (out, notes) =
            normalise("[a]({{ site.repository }}/issues/1) [b]({{ \"/docs/\" | relative_url }})")
                .unwrap();
        assert_eq!(out, "[a](/issues/1) [b](/docs/)");
        assert!(notes[0].contains("{{ site.repository }}"), "{notes:?}");
    }

    #[test]
    fn hugo_and_plain_text_are_left_alone() {
        assert!(normalise("{{< figure src=\"a\" >}} and {{ x }}").is_none());
        assert_eq!(norm("{% if %} {{< ref \"a\" >}}"), " {{< ref \"a\" >}}");
        assert_eq!(norm("50{% unclosed"), "50{% unclosed");
    }
}
