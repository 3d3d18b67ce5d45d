//! Where a line of text breaks into rows of a given width, by display cells (CJK and other
//! wide characters count two). Every pane that wraps text breaks it here, so the rules are
//! the same everywhere: break after spaces or after a hyphen inside a word, never start a
//! row with a character that belongs to the word before it (`, - . ; : ) ! ?`), and split a
//! word wider than a row rather than cut it off.

use std::ops::Range;

use unicode_width::UnicodeWidthStr;

/// Characters a row never starts with: they close the word before them.
pub(crate) const NO_ROW_START: [char; 8] = [',', '-', '.', ';', ':', ')', '!', '?'];

/// Byte offsets where a row may start: after a run of spaces, or after a hyphen joining two
/// parts of a word (`well-` | `known`), unless the character there belongs to the word before.
fn break_points(line: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut out = Vec::new();
    for k in 1..chars.len() {
        let (at, c) = chars[k];
        let before = chars[k - 1].1;
        if c.is_whitespace() || NO_ROW_START.contains(&c) {
            continue;
        }
        let after_space = before.is_whitespace();
        let after_hyphen =
            before == '-' && k >= 2 && !chars[k - 2].1.is_whitespace() && chars[k - 2].1 != '-';
        if after_space || after_hyphen {
            out.push(at);
        }
    }
    out
}

/// Width of `text` without the spaces it ends with: spaces at a break hang past the edge.
fn shown_width(text: &str) -> usize {
    text.trim_end().width()
}

/// Where to end a row when no break point fits: the longest run of characters that fits
/// and leaves the next row starting with neither a space nor a [`NO_ROW_START`] character
/// (`hell` | `o,`). Only text made of such characters alone is cut anywhere it fits, and a
/// row narrower than one wide character still takes that character.
fn split_word(line: &str, start: usize, width: usize) -> usize {
    let mut best = None;
    let mut last_fit = None;
    let mut first_char_end = None;
    for (i, c) in line[start..].char_indices().skip(1) {
        let at = start + i;
        first_char_end.get_or_insert(at);
        if shown_width(&line[start..at]) > width {
            break;
        }
        last_fit = Some(at);
        if !c.is_whitespace() && !NO_ROW_START.contains(&c) {
            best = Some(at);
        }
    }
    best.or(last_fit).or(first_char_end).unwrap_or(line.len())
}

/// The rows of one line (no `\n` in it) as byte ranges: the first row holds `first` cells,
/// the others `rest`. An empty line is one empty row. Spaces stay in the row before a break
/// (so every byte belongs to exactly one row and a cursor maps back), drawn past its end.
pub(crate) fn break_line(line: &str, first: usize, rest: usize) -> Vec<Range<usize>> {
    let points = break_points(line);
    let mut rows = Vec::new();
    let mut start = 0;
    loop {
        let width = if rows.is_empty() { first } else { rest }.max(1);
        if shown_width(&line[start..]) <= width {
            rows.push(start..line.len());
            return rows;
        }
        let fits = points
            .iter()
            .copied()
            .filter(|&p| p > start)
            .take_while(|&p| shown_width(&line[start..p]) <= width)
            .last();
        let end = fits.unwrap_or_else(|| split_word(line, start, width));
        rows.push(start..end);
        if end >= line.len() {
            return rows;
        }
        start = end;
    }
}

/// Which row of `rows` shows a cursor at byte `at`: a cursor on a break belongs to the row
/// it starts, except at the end of the line.
pub(crate) fn row_of(rows: &[Range<usize>], at: usize) -> usize {
    rows.iter()
        .position(|r| r.contains(&at))
        .unwrap_or(rows.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(line: &str, first: usize, rest: usize) -> Vec<&str> {
        break_line(line, first, rest)
            .into_iter()
            .map(|r| line[r].trim_end())
            .collect()
    }

    #[test]
    fn punctuation_stays_with_the_word_before_it() {
        assert_eq!(texts("hello, world", 6, 6), ["hello,", "world"]);
        // "hello," does not fit 5 cells: the word gives up its last letter to the comma
        // rather than leave the comma alone at the start of a row.
        assert_eq!(texts("hello, world", 5, 5), ["hell", "o,", "world"]);
        // A space before punctuation is no break point either.
        assert_eq!(texts("rain , then sun", 6, 6), ["rain ,", "then", "sun"]);
        assert_eq!(
            texts("rain , then sun", 5, 5),
            ["rai", "n ,", "then", "sun"]
        );
    }

    #[test]
    fn hyphenated_words_break_after_the_hyphen() {
        assert_eq!(
            texts("a rain-soaked street", 8, 8),
            ["a rain-", "soaked", "street"]
        );
        assert_eq!(texts("well-known", 6, 6), ["well-", "known"]);
        // A leading hyphen or a dash between spaces is not a break point inside a word.
        assert_eq!(texts("cut -- then", 4, 4), ["cu", "t --", "then"]);
    }

    #[test]
    fn a_word_wider_than_the_row_is_split_not_cut() {
        assert_eq!(texts("abcdefghij k", 4, 4), ["abcd", "efgh", "ij k"]);
        assert_eq!(texts("", 4, 4), [""]);
        // The first row may be narrower (text after a label).
        assert_eq!(texts("aa bb cc dd", 2, 5), ["aa", "bb cc", "dd"]);
    }

    #[test]
    fn wide_characters_count_two_cells() {
        assert_eq!(texts("雨の街 夜", 4, 4), ["雨の", "街", "夜"]);
        // A row narrower than one wide character still takes it.
        assert_eq!(texts("雨の", 1, 1), ["雨", "の"]);
    }

    #[test]
    fn a_cursor_on_a_break_starts_the_next_row() {
        let rows = break_line("ab cd", 3, 3);
        assert_eq!(rows, [0..3, 3..5]);
        assert_eq!(row_of(&rows, 2), 0);
        assert_eq!(row_of(&rows, 3), 1);
        assert_eq!(row_of(&rows, 5), 1);
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-z雨街]{1,14}(-[a-z]{1,6})?[,.;:!?)]{0,2}"
    }

    proptest! {
        #[test]
        fn rows_cover_the_line_fit_and_never_start_with_closing_punctuation(
            words in proptest::collection::vec(word(), 0..12),
            spaced_punctuation in any::<bool>(),
            width in 6usize..30,
        ) {
            let sep = if spaced_punctuation { " , " } else { " " };
            let line = words.join(sep);
            let rows = break_line(&line, width, width);
            // Every byte is in exactly one row, in order.
            prop_assert_eq!(rows.first().map(|r| r.start), Some(0));
            prop_assert_eq!(rows.last().map(|r| r.end), Some(line.len()));
            for pair in rows.windows(2) {
                prop_assert_eq!(pair[0].end, pair[1].start);
                prop_assert!(pair[0].start < pair[0].end);
            }
            for r in &rows {
                let text = &line[r.clone()];
                prop_assert!(shown_width(text) <= width, "{:?} is wider than {}", text, width);
            }
            for r in rows.iter().skip(1) {
                let first = line[r.clone()].chars().next().unwrap();
                prop_assert!(!NO_ROW_START.contains(&first), "row {:?} of {:?}", &line[r.clone()], line);
                prop_assert!(!first.is_whitespace());
            }
        }
    }
}
