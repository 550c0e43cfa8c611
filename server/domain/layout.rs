//! A printed page as a văn thư looks at it: its size, and its text as lines with
//! position, size and weight. Built from glyphs (by `inspect`, which reads any
//! PDF) and read by the layout rules of the Nghị định 30 check.

/// One glyph as drawn: its character, where its baseline starts, how big it is.
#[derive(Debug, Clone)]
pub struct Glyph {
    /// The character(s) it stands for.
    pub text: String,
    /// Left edge, points from the page's left.
    pub x: f64,
    /// Baseline, points from the page's top.
    pub y: f64,
    /// Advance width, points.
    pub width: f64,
    /// Font size, points.
    pub size: f64,
    /// Bold face.
    pub bold: bool,
    /// Italic face.
    pub italic: bool,
}

/// A run of glyphs on one baseline, with the gaps that separate words kept as spaces.
#[derive(Debug, Clone)]
pub struct Line {
    /// The text, words separated by single spaces.
    pub text: String,
    /// Left edge.
    pub x_min: f64,
    /// Right edge.
    pub x_max: f64,
    /// Baseline.
    pub y: f64,
    /// The largest font size on the line.
    pub size: f64,
    /// Whether every letter is bold.
    pub bold: bool,
    /// Whether every letter is italic.
    pub italic: bool,
}

/// A font a page uses.
#[derive(Debug, Clone, PartialEq)]
pub struct FontUse {
    /// Its PostScript name without the subset tag, e.g. "LiberationSerif-Bold".
    pub name: String,
    /// Whether the font program is inside the file.
    pub embedded: bool,
}

/// One page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Width, points.
    pub width: f64,
    /// Height, points.
    pub height: f64,
    /// Lines, top to bottom, then left to right.
    pub lines: Vec<Line>,
    /// Fonts drawn with.
    pub fonts: Vec<FontUse>,
    /// Images drawn.
    pub images: usize,
}

/// Groups glyphs into lines: same baseline (within a fifth of the size), and a
/// horizontal gap of more than two font sizes starts a new line (two columns).
/// Gaps wider than a fifth of the size become a space.
pub fn lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.retain(|g| g.size > 0.5 && g.x.is_finite() && g.y.is_finite());
    // Order by baseline band, then x.
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut bands: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match bands.last_mut() {
            Some(band) if (band[0].y - g.y).abs() <= band[0].size.max(g.size) * 0.2 => band.push(g),
            _ => bands.push(vec![g]),
        }
    }
    let mut out = Vec::new();
    for mut band in bands {
        band.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut current: Vec<Glyph> = Vec::new();
        for g in band {
            if let Some(last) = current.last()
                && g.x - (last.x + last.width) > 2.0 * g.size.max(last.size)
            {
                out.push(finish(std::mem::take(&mut current)));
            }
            current.push(g);
        }
        if !current.is_empty() {
            out.push(finish(current));
        }
    }
    out.retain(|l| !l.text.trim().is_empty());
    out
}

fn finish(glyphs: Vec<Glyph>) -> Line {
    let mut text = String::new();
    let mut prev_end: Option<f64> = None;
    let mut letters = 0;
    let (mut bold, mut italic) = (0, 0);
    for g in &glyphs {
        if let Some(end) = prev_end
            && g.x - end > g.size * 0.2
            && !text.ends_with(' ')
        {
            text.push(' ');
        }
        text.push_str(&g.text);
        prev_end = Some(g.x + g.width);
        if g.text.chars().any(char::is_alphanumeric) {
            letters += 1;
            bold += g.bold as usize;
            italic += g.italic as usize;
        }
    }
    // A space drawn at the end of a justified line is not ink: edges come from visible glyphs.
    let ink = || glyphs.iter().filter(|g| !g.text.trim().is_empty());
    let x_min = ink().map(|g| g.x).fold(f64::INFINITY, f64::min);
    let x_max = ink().map(|g| g.x + g.width).fold(f64::NEG_INFINITY, f64::max);
    let y = glyphs.iter().map(|g| g.y).sum::<f64>() / glyphs.len().max(1) as f64;
    let size = glyphs.iter().map(|g| g.size).fold(0.0, f64::max);
    Line {
        text: text.split_whitespace().collect::<Vec<_>>().join(" "),
        x_min,
        x_max,
        y,
        size,
        bold: letters > 0 && bold == letters,
        italic: letters > 0 && italic == letters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(text: &str, x: f64, y: f64) -> Glyph {
        Glyph { text: text.into(), x, y, width: 7.0, size: 14.0, bold: false, italic: false }
    }

    #[test]
    fn glyphs_become_lines_and_words_and_columns_stay_apart() {
        let glyphs = vec![
            g("S", 100.0, 100.0),
            g("ố", 107.0, 100.2),
            g(":", 114.0, 100.0),
            g("B", 300.0, 100.1),
            g("ắ", 307.0, 100.0),
            g("c", 320.0, 100.0),
            g("x", 100.0, 120.0),
        ];
        let lines = lines(glyphs);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Số:", "Bắ c", "x"]);
        assert!((lines[0].y - 100.07).abs() < 0.01);
    }
}
