//! What a history filter's text means, for every backend: "contains this text" as a LIKE
//! pattern, and the take a text such as "take 3" names.

/// The take a filter names: "take 3", "Take 3" or "take3" (any case, spaces around) is
/// take 3, as the queue labels it. "take" alone, or followed by anything but a number,
/// names no take: it is only text, so it does not list every job.
pub(crate) fn named_take(text: &str) -> Option<u32> {
    let text = text.trim();
    let (word, number) = text.split_at_checked(4)?;
    let number = number.trim_start();
    if !word.eq_ignore_ascii_case("take") || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

/// A LIKE pattern for "contains `text`": its `%`, `_` and `\` match only themselves.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}
