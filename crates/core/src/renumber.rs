//! Keeping `<<<image_N>>>` pointing at the same picture when the reference list changes.
//!
//! A token names a reference by its place in `references` (1-based), so deleting or moving
//! a reference silently re-points every token after it. These functions rewrite the tokens
//! in every prompt (the shots', the board's and the negative one) along with the list.

use super::elements::{TokenKind, renumber_prompts, renumber_tokens};
use super::model::Board;

/// What a token naming a deleted reference becomes: `<<<image_0>>>` names no reference
/// whatever the list holds later, so it stays an error finding until the user fixes it
/// (keeping its old number would quietly name the reference that moved into its place).
pub const ORPHAN: usize = 0;

/// What rewriting the tokens did, for the one-line report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renumbered {
    /// `(old N, new N)` for every number that was rewritten somewhere, by old N.
    pub moves: Vec<(usize, usize)>,
    /// Old numbers of tokens whose reference is gone (now `<<<image_0>>>`).
    pub orphaned: Vec<usize>,
    /// How many prompts changed.
    pub prompts: usize,
    /// Which tokens were rewritten (image tokens unless an element or voice was removed).
    pub kind: TokenKind,
}

impl Renumbered {
    pub fn is_empty(&self) -> bool {
        self.prompts == 0
    }

    /// One line for the status bar, or `None` when no token changed.
    pub fn summary(&self) -> Option<String> {
        self.summary_of(self.kind)
    }

    /// [`Renumbered::summary`] for tokens of `kind`.
    pub fn summary_of(&self, kind: TokenKind) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let prompts = if self.prompts == 1 {
            "1 prompt".to_string()
        } else {
            format!("{} prompts", self.prompts)
        };
        let mut parts = Vec::new();
        if !self.moves.is_empty() {
            let moves: Vec<String> = self
                .moves
                .iter()
                .map(|(a, b)| format!("{} → {}", kind.token(*a), kind.token(*b)))
                .collect();
            parts.push(format!(
                "{}s renumbered: {}",
                kind.names(),
                moves.join(", ")
            ));
        }
        if !self.orphaned.is_empty() {
            let gone: Vec<String> = self.orphaned.iter().map(|n| kind.token(*n)).collect();
            parts.push(format!(
                "{} named the removed {}: kept as {} (an error until you fix it)",
                gone.join(", "),
                kind.names(),
                kind.token(ORPHAN)
            ));
        }
        Some(format!("{} in {prompts}", parts.join("; ")))
    }
}

/// The new place of each old reference after removing the one at `removed` (0-based).
pub fn after_remove(count: usize, removed: usize) -> Vec<Option<usize>> {
    (0..count)
        .map(|i| match i.cmp(&removed) {
            std::cmp::Ordering::Less => Some(i),
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(i - 1),
        })
        .collect()
}

/// The new place of each old reference after moving the one at `from` to `to` (0-based).
pub fn after_move(count: usize, from: usize, to: usize) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..count).collect();
    if from < count && to < count {
        let moved = order.remove(from);
        order.insert(to, moved);
    }
    let mut new_of_old = vec![None; count];
    for (new, old) in order.into_iter().enumerate() {
        new_of_old[old] = Some(new);
    }
    new_of_old
}

/// Rewrites the tokens of `text`: `<<<image_N>>>` for an old reference `N` becomes its new
/// number, or [`ORPHAN`] when `new_of_old` drops it. Numbers that named no reference before
/// are left alone. Returns the new text and the `(old, new)` of every token rewritten.
pub fn renumber_text(text: &str, new_of_old: &[Option<usize>]) -> (String, Vec<(usize, usize)>) {
    renumber_tokens(text, TokenKind::Image, new_of_old)
}

/// Rewrites the tokens in every prompt of `board` for a reference list reordered as
/// `new_of_old` says (the list itself is the caller's to change).
pub fn renumber_board(board: &mut Board, new_of_old: &[Option<usize>]) -> Renumbered {
    renumber_prompts(board, TokenKind::Image, new_of_old)
}

/// Removes reference `i` (0-based) and renumbers the tokens with it: one change.
pub fn remove_reference(board: &mut Board, i: usize) -> Renumbered {
    if i >= board.references.len() {
        return Renumbered::default();
    }
    let map = after_remove(board.references.len(), i);
    board.references.remove(i);
    renumber_board(board, &map)
}

/// Moves reference `from` to `to` (0-based) and renumbers the tokens with it.
pub fn move_reference(board: &mut Board, from: usize, to: usize) -> Renumbered {
    let n = board.references.len();
    if from >= n || to >= n || from == to {
        return Renumbered::default();
    }
    let map = after_move(n, from, to);
    let moved = board.references.remove(from);
    board.references.insert(to, moved);
    renumber_board(board, &map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shot;
    use crate::rules::image_placeholder_spans;

    fn board(prompts: &[&str], refs: usize) -> Board {
        Board {
            shots: prompts.iter().map(|p| Shot::new(*p, 3)).collect(),
            references: (1..=refs).map(|i| format!("r{i}.png")).collect(),
            ..Board::default()
        }
    }

    #[test]
    fn removing_a_reference_shifts_later_tokens_and_orphans_its_own() {
        let mut b = board(
            &["a <<<image_1>>> b <<<image_3>>>", "<<<image_2>>> c", "none"],
            3,
        );
        b.negative_prompt = "no <<<image_3>>>".into();
        let r = remove_reference(&mut b, 1);
        assert_eq!(b.references, ["r1.png", "r3.png"]);
        assert_eq!(b.shots[0].prompt, "a <<<image_1>>> b <<<image_2>>>");
        assert_eq!(b.shots[1].prompt, "<<<image_0>>> c");
        assert_eq!(b.shots[2].prompt, "none");
        assert_eq!(b.negative_prompt, "no <<<image_2>>>");
        assert_eq!(r.moves, [(3, 2)]);
        assert_eq!(r.orphaned, [2]);
        assert_eq!(r.prompts, 3);
        assert_eq!(
            r.summary().unwrap(),
            "references renumbered: <<<image_3>>> → <<<image_2>>>; <<<image_2>>> named the \
             removed reference: kept as <<<image_0>>> (an error until you fix it) in 3 prompts"
        );
    }

    #[test]
    fn removing_the_last_reference_touches_only_its_tokens() {
        let mut b = board(&["<<<image_1>>> and <<<image_2>>>"], 2);
        b.prompt = "<<<image_1>>>".into();
        let r = remove_reference(&mut b, 1);
        assert_eq!(b.shots[0].prompt, "<<<image_1>>> and <<<image_0>>>");
        assert_eq!(b.prompt, "<<<image_1>>>");
        assert_eq!(
            (r.moves.len(), r.orphaned.as_slice(), r.prompts),
            (0, &[2][..], 1)
        );
    }

    #[test]
    fn moving_swaps_numbers_and_leaves_strangers_alone() {
        let mut b = board(
            &["<<<image_1>>> <<<image_2>>> <<<image_9>>> <<<image_>>>"],
            3,
        );
        let r = move_reference(&mut b, 0, 2);
        assert_eq!(b.references, ["r2.png", "r3.png", "r1.png"]);
        assert_eq!(
            b.shots[0].prompt,
            "<<<image_3>>> <<<image_1>>> <<<image_9>>> <<<image_>>>"
        );
        assert_eq!(r.moves, [(1, 3), (2, 1)]);
        assert_eq!(r.summary().unwrap().matches("→").count(), 2);
    }

    #[test]
    fn nothing_to_rewrite_says_nothing() {
        let mut b = board(&["plain"], 2);
        let r = remove_reference(&mut b, 1);
        assert!(r.is_empty() && r.summary().is_none());
        assert_eq!(remove_reference(&mut b, 5), Renumbered::default());
        assert_eq!(after_move(3, 1, 1), [Some(0), Some(1), Some(2)]);
    }

    use proptest::prelude::*;

    /// A prompt as pieces: plain text, or a token `<<<image_N>>>`.
    fn pieces() -> impl Strategy<Value = Vec<Result<String, usize>>> {
        let piece = prop_oneof!["[a-z é<>_]{0,6}".prop_map(Ok), (0usize..9).prop_map(Err),];
        prop::collection::vec(piece, 0..12)
    }

    fn text(pieces: &[Result<String, usize>]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Ok(t) => t.clone(),
                Err(n) => format!("<<<image_{n}>>>"),
            })
            .collect()
    }

    /// The picture each token names (or `None`), in order.
    fn meanings(text: &str, refs: &[String]) -> Vec<Option<String>> {
        image_placeholder_spans(text)
            .into_iter()
            .map(|(_, n)| n.checked_sub(1).and_then(|i| refs.get(i)).cloned())
            .collect()
    }

    proptest! {
        #[test]
        fn every_token_keeps_its_picture_or_names_none(
            prompts in prop::collection::vec(pieces(), 1..4),
            count in 1usize..7,
            a in 0usize..7,
            b in 0usize..7,
            remove in any::<bool>(),
        ) {
            let texts: Vec<String> = prompts.iter().map(|p| text(p)).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let mut board = board(&refs, count);
            let (a, b) = (a % count, b % count);
            let before = board.clone();
            let removed = remove.then(|| before.references[a].clone());
            if remove {
                remove_reference(&mut board, a);
            } else {
                move_reference(&mut board, a, b);
            }
            for (old, new) in before.shots.iter().zip(&board.shots) {
                let was = meanings(&old.prompt, &before.references);
                let now = meanings(&new.prompt, &board.references);
                prop_assert_eq!(was.len(), now.len(), "no token lost or made");
                for (w, n) in was.iter().zip(&now) {
                    match w {
                        Some(pic) if Some(pic) == removed.as_ref() => prop_assert_eq!(n, &None),
                        _ => prop_assert_eq!(n, w),
                    }
                }
                // Outside the tokens, the text is untouched.
                let strip = |t: &str| {
                    let mut out = t.to_string();
                    for (span, _) in image_placeholder_spans(t).into_iter().rev() {
                        out.replace_range(span, "#");
                    }
                    out
                };
                prop_assert_eq!(strip(&old.prompt), strip(&new.prompt));
            }
        }
    }
}
