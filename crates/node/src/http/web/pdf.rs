//! A small PDF 1.4 writer for printable reports: A4 pages of text in the standard Helvetica
//! fonts (WinAnsi encoding, which covers Dutch, French and German) and filled rectangles —
//! what the Art. 65 evaluation needs for its figures and bar charts, without a dependency.
//! Content streams are left uncompressed so that a report can be searched as text.

use std::fmt::Write as _;

/// A4 in points.
pub const WIDTH: f64 = 595.0;
pub const HEIGHT: f64 = 842.0;
const MARGIN: f64 = 50.0;

/// A document being laid out top to bottom, page after page.
#[derive(Debug, Default)]
pub struct Document {
    pages: Vec<String>,
    page: String,
    /// Distance from the top of the current page to the next line.
    y: f64,
}

/// A character in WinAnsi, the encoding of the standard fonts; what it lacks becomes `?`.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '\u{a0}'..='\u{ff}' => u8::try_from(u32::from(c)).unwrap_or(b'?'),
        _ => b'?',
    }
}

/// A PDF string literal of `text`: parentheses and backslashes escaped, bytes beyond ASCII in
/// octal, arrows spelled out.
fn literal(text: &str) -> String {
    let mut out = String::from("(");
    for c in text.replace('→', "->").chars() {
        match win_ansi(c) {
            b'(' => out.push_str("\\("),
            b')' => out.push_str("\\)"),
            b'\\' => out.push_str("\\\\"),
            b @ 0x20..=0x7e => out.push(char::from(b)),
            b => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push(')');
    out
}

impl Document {
    pub fn new() -> Self {
        Document {
            y: MARGIN,
            ..Default::default()
        }
    }

    /// Starts a new page when fewer than `needed` points are left on this one.
    pub fn room(&mut self, needed: f64) {
        if self.y + needed > HEIGHT - MARGIN {
            self.pages.push(std::mem::take(&mut self.page));
            self.y = MARGIN;
        }
    }

    /// Text at `x` points from the left on the current line (not advancing).
    fn text_at(&mut self, x: f64, size: f64, bold: bool, text: &str) {
        let _ = writeln!(
            self.page,
            "BT /{} {size} Tf {x:.1} {:.1} Td {} Tj ET",
            if bold { "F2" } else { "F1" },
            HEIGHT - self.y - size,
            literal(text)
        );
    }

    /// A line of text; long lines are cut at the page's width by words.
    pub fn line(&mut self, size: f64, bold: bool, text: &str) {
        // Helvetica's average width is about half its size.
        let per_line = ((WIDTH - 2.0 * MARGIN) / (size * 0.5)).max(10.0) as usize;
        let mut current = String::new();
        let mut lines = Vec::new();
        for word in text.split_whitespace() {
            if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > per_line {
                lines.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        lines.push(current);
        for l in lines {
            self.room(size * 1.4);
            self.text_at(MARGIN, size, bold, &l);
            self.y += size * 1.4;
        }
    }

    pub fn gap(&mut self, points: f64) {
        self.y += points;
    }

    /// A horizontal bar chart: each label, a bar as long as its share of the largest value,
    /// and the value.
    pub fn bars(&mut self, title: &str, bars: &[(String, usize)]) {
        self.room(30.0 + 16.0 * bars.len().min(3) as f64);
        self.line(12.0, true, title);
        let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(1).max(1);
        let (label_width, bar_width) = (200.0, WIDTH - 2.0 * MARGIN - 240.0);
        for (label, value) in bars {
            self.room(16.0);
            self.text_at(MARGIN, 9.0, false, label);
            let w = bar_width * (*value as f64) / (max as f64);
            let _ = writeln!(
                self.page,
                "0.16 0.38 0.62 rg {:.1} {:.1} {w:.1} 10 re f 0 g",
                MARGIN + label_width,
                HEIGHT - self.y - 11.0
            );
            self.text_at(MARGIN + label_width + w + 6.0, 9.0, false, &value.to_string());
            self.y += 16.0;
        }
        self.y += 10.0;
    }

    /// The document's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        if !self.page.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.page));
        }
        let mut objects: Vec<String> = Vec::new();
        let pages = self.pages.len();
        // 1 catalog, 2 page tree, 3–4 fonts, then a page and its content for each page.
        objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
        let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
        objects.push(format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")));
        for font in ["Helvetica", "Helvetica-Bold"] {
            objects.push(format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{font} /Encoding /WinAnsiEncoding >>"
            ));
        }
        for (i, content) in self.pages.iter().enumerate() {
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                6 + 2 * i
            ));
            objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
        }
        let mut out = String::from("%PDF-1.4\n");
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            let _ = write!(out, "{} 0 obj\n{object}\nendobj\n", i + 1);
        }
        let xref = out.len();
        let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for offset in offsets {
            let _ = writeln!(out, "{offset:010} 00000 n ");
        }
        let _ = write!(
            out,
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        );
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_encoded_for_the_standard_fonts() {
        assert_eq!(literal("a (b) \\ c"), "(a \\(b\\) \\\\ c)");
        assert_eq!(literal("é – NL → BE"), "(\\351 \\226 NL -> BE)");
        assert_eq!(literal("日"), "(?)");
    }

    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let mut d = Document::new();
        d.line(18.0, true, "Art. 65");
        d.bars("Operations", &[("pursuit".into(), 3), ("observation".into(), 1)]);
        for i in 0..80 {
            d.line(10.0, false, &format!("line {i}"));
        }
        let bytes = d.finish();
        let text = String::from_utf8(bytes).expect("ASCII");
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        assert!(text[xref..].starts_with("xref\n"));
        let entries: Vec<usize> = text[xref..]
            .lines()
            .skip(3)
            .take_while(|l| !l.starts_with("trailer"))
            .filter_map(|l| l.split(' ').next()?.parse().ok())
            .collect();
        assert!(entries.len() >= 6, "two pages at least: {}", entries.len());
        for (i, offset) in entries.iter().enumerate() {
            assert!(
                text[*offset..].starts_with(&format!("{} 0 obj", i + 1)),
                "object {}",
                i + 1
            );
        }
        assert!(
            text.contains("/Count 2") || text.contains("/Count 3"),
            "the lines overflow to a second page"
        );
    }
}
