//! Board mutations behind the shot list and settings: pure functions of a board, each
//! returning the selection to show afterwards or a [`Refusal`] saying why it cannot apply.

use shotdeck_core::model::{Board, Mode, Shot};
use shotdeck_core::provider::Limits;

/// Why an edit was refused. Nothing changed; the message is shown to the user. Messages name
/// no keys: the panes check first and name the user's keys from the keymap table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("multi-shot is off: this board has one prompt (turn multi-shot on in Settings)")]
    MultiShotOff,
    #[error(
        "shots are auto: the model cuts them from one prompt (set Shots to custom in Settings)"
    )]
    AutoShots,
    #[error("no shot selected (add one first)")]
    NoShotSelected,
    #[error("Shot {} is already the first shot", .shot + 1)]
    AlreadyFirst { shot: usize },
    #[error("Shot {} is already the last shot", .shot + 1)]
    AlreadyLast { shot: usize },
    #[error("Shot {} lasts {seconds} s; each half needs at least {min} s", .shot + 1)]
    TooShortToSplit { shot: usize, seconds: f64, min: f64 },
    #[error("{seconds} s is the shortest allowed")]
    AtShortest { seconds: f64 },
    #[error("no shots to spread")]
    NoShots,
    /// A text or path setting: it opens an editor instead of stepping.
    #[error("this field is typed, not stepped: open it to edit")]
    NotAChoice,
    #[error("this setting cannot be cleared; change its value instead")]
    NotClearable,
}

fn check_multi(board: &Board) -> Result<(), Refusal> {
    if board.uses_shot_list() {
        Ok(())
    } else if board.multi_shot {
        Err(Refusal::AutoShots)
    } else {
        Err(Refusal::MultiShotOff)
    }
}

fn check_index(board: &Board, i: usize) -> Result<(), Refusal> {
    if i < board.shots.len() {
        Ok(())
    } else {
        Err(Refusal::NoShotSelected)
    }
}

/// Inserts an empty shot after `after` (or first when the board has none). Its duration
/// fills what is left of the 15 s, between 1 and 5 s.
pub fn add_shot(board: &mut Board, after: usize, limits: &Limits) -> Result<usize, Refusal> {
    check_multi(board)?;
    let left = (limits.total_max_seconds - board.total_duration()).round();
    let duration = left.clamp(limits.shot_min_seconds, 5.0) as u32;
    let at = if board.shots.is_empty() {
        0
    } else {
        after.min(board.shots.len() - 1) + 1
    };
    board.shots.insert(at, Shot::new("", duration));
    Ok(at)
}

pub fn delete_shot(board: &mut Board, i: usize) -> Result<usize, Refusal> {
    check_multi(board)?;
    check_index(board, i)?;
    board.shots.remove(i);
    Ok(i.min(board.shots.len().saturating_sub(1)))
}

pub fn duplicate_shot(board: &mut Board, i: usize) -> Result<usize, Refusal> {
    check_multi(board)?;
    check_index(board, i)?;
    let copy = board.shots[i].clone();
    board.shots.insert(i + 1, copy);
    Ok(i + 1)
}

/// Moves shot `i` one place up (`-1`) or down (`+1`); stays put at either end.
pub fn move_shot(board: &mut Board, i: usize, up: bool) -> Result<usize, Refusal> {
    check_multi(board)?;
    check_index(board, i)?;
    let j = if up {
        i.checked_sub(1)
    } else {
        Some(i + 1).filter(|j| *j < board.shots.len())
    };
    match j {
        Some(j) => {
            board.shots.swap(i, j);
            Ok(j)
        }
        None if up => Err(Refusal::AlreadyFirst { shot: i }),
        None => Err(Refusal::AlreadyLast { shot: i }),
    }
}

/// Splits shot `i` into two with the same prompt; the first half gets the odd second.
pub fn split_shot(board: &mut Board, i: usize, limits: &Limits) -> Result<usize, Refusal> {
    check_multi(board)?;
    check_index(board, i)?;
    let d = board.shots[i].duration.round();
    let min = limits.shot_min_seconds;
    if d < 2.0 * min {
        return Err(Refusal::TooShortToSplit {
            shot: i,
            seconds: d,
            min,
        });
    }
    let second = (d / 2.0).floor();
    board.shots[i].duration = d - second;
    let mut copy = board.shots[i].clone();
    copy.duration = second;
    board.shots.insert(i + 1, copy);
    Ok(i)
}

/// Lengthens or shortens shot `i` (or the single-shot duration) by `delta` whole seconds,
/// never below the minimum. A fractional duration snaps to whole seconds first.
pub fn change_duration(
    board: &mut Board,
    i: usize,
    delta: i32,
    limits: &Limits,
) -> Result<usize, Refusal> {
    let min = if board.uses_shot_list() {
        limits.shot_min_seconds
    } else {
        limits.total_min_seconds
    };
    let slot = if board.uses_shot_list() {
        check_index(board, i)?;
        &mut board.shots[i].duration
    } else {
        &mut board.duration
    };
    let next = (slot.round() + f64::from(delta)).max(min);
    if next == *slot {
        return Err(Refusal::AtShortest { seconds: next });
    }
    *slot = next;
    Ok(i)
}

/// Spreads the total (whole seconds) evenly; earlier shots take the remainder.
pub fn spread_durations(board: &mut Board, limits: &Limits) -> Result<(), Refusal> {
    check_multi(board)?;
    let n = board.shots.len();
    if n == 0 {
        return Err(Refusal::NoShots);
    }
    let min = limits.shot_min_seconds as i64;
    let total = (board.total_duration().round() as i64).max(min * n as i64);
    let (base, extra) = (total / n as i64, total % n as i64);
    for (k, shot) in board.shots.iter_mut().enumerate() {
        shot.duration = (base + i64::from((k as i64) < extra)) as f64;
    }
    Ok(())
}

/// Cycles through `options` from `current` by `step` (±1); unknown values start at the ends.
pub fn cycle<'a>(options: &[&'a str], current: &str, step: i32) -> &'a str {
    let n = options.len() as i32;
    let next = match options.iter().position(|o| *o == current) {
        Some(i) => (i as i32 + step).rem_euclid(n),
        None if step >= 0 => 0,
        None => n - 1,
    };
    options[next as usize]
}

pub fn cycle_mode(board: &mut Board, step: i32) {
    let names: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
    let next = cycle(&names, board.mode.as_str(), step);
    board.mode = Mode::ALL
        .into_iter()
        .find(|m| m.as_str() == next)
        .unwrap_or_default();
}

/// Moves cfg_scale by `steps` × 0.05 within the limits, kept to two decimals.
pub fn nudge_cfg_scale(board: &mut Board, steps: i32, limits: &Limits) {
    let v = board.cfg_scale + f64::from(steps) * 0.05;
    board.cfg_scale = (v.clamp(limits.cfg_scale_min, limits.cfg_scale_max) * 100.0).round() / 100.0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use shotdeck_core::{Limits, Provider};
    use std::sync::LazyLock;

    static L: LazyLock<Limits> = LazyLock::new(|| Provider::Kling.limits_for("kling-v3"));

    fn durations(b: &Board) -> Vec<f64> {
        b.shots.iter().map(|s| s.duration).collect()
    }

    #[test]
    fn add_fills_the_remaining_time() {
        let mut b = Board::starter(); // 4+4+4
        assert_eq!(add_shot(&mut b, 0, &L), Ok(1));
        assert_eq!(durations(&b), [4.0, 3.0, 4.0, 4.0]);
        assert_eq!(b.shots[1].prompt, "");
        assert_eq!(add_shot(&mut b, 9, &L), Ok(4));
        assert_eq!(b.shots[4].duration, 1.0, "over 15 s: the minimum");
        let mut empty = Board {
            shots: vec![],
            ..Board::starter()
        };
        assert_eq!(add_shot(&mut empty, 0, &L), Ok(0));
        assert_eq!(durations(&empty), [5.0]);
    }

    #[test]
    fn delete_duplicate_and_move() {
        let mut b = Board::starter();
        let first = b.shots[0].prompt.clone();
        assert_eq!(duplicate_shot(&mut b, 0), Ok(1));
        assert_eq!(b.shots[1].prompt, first);
        assert_eq!(move_shot(&mut b, 1, false), Ok(2));
        assert_eq!(b.shots[2].prompt, first);
        assert_eq!(
            move_shot(&mut b, 3, false),
            Err(Refusal::AlreadyLast { shot: 3 })
        );
        assert_eq!(
            move_shot(&mut b, 0, true),
            Err(Refusal::AlreadyFirst { shot: 0 })
        );
        assert_eq!(delete_shot(&mut b, 3), Ok(2));
        assert_eq!(b.shots.len(), 3);
        assert_eq!(delete_shot(&mut b, 7), Err(Refusal::NoShotSelected));
    }

    #[test]
    fn split_copies_the_prompt_and_halves_the_duration() {
        let mut b = Board::starter();
        b.shots[0].duration = 5.0;
        assert_eq!(split_shot(&mut b, 0, &L), Ok(0));
        assert_eq!(durations(&b), [3.0, 2.0, 4.0, 4.0]);
        assert_eq!(b.shots[0].prompt, b.shots[1].prompt);
        b.shots[0].duration = 1.0;
        let e = split_shot(&mut b, 0, &L).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Shot 1 lasts 1 s; each half needs at least 1 s"
        );
    }

    #[test]
    fn durations_change_by_whole_seconds_with_a_floor() {
        let mut b = Board::starter();
        change_duration(&mut b, 1, 1, &L).unwrap();
        assert_eq!(durations(&b), [4.0, 5.0, 4.0]);
        b.shots[2].duration = 1.0;
        assert_eq!(
            change_duration(&mut b, 2, -1, &L),
            Err(Refusal::AtShortest { seconds: 1.0 })
        );
        b.shots[2].duration = 2.4;
        change_duration(&mut b, 2, 1, &L).unwrap();
        assert_eq!(b.shots[2].duration, 3.0);
        b.multi_shot = false;
        change_duration(&mut b, 0, 5, &L).unwrap();
        assert_eq!(b.duration, 10.0);
    }

    #[test]
    fn spread_keeps_the_total() {
        let mut b = Board::starter();
        b.shots[0].duration = 8.0;
        b.shots.push(Shot::new("x", 1));
        b.shots.push(Shot::new("y", 1)); // 8+4+4+1+1 = 18
        spread_durations(&mut b, &L).unwrap();
        assert_eq!(durations(&b), [4.0, 4.0, 4.0, 3.0, 3.0]);
        let mut single = Board {
            multi_shot: false,
            ..Board::starter()
        };
        assert_eq!(
            spread_durations(&mut single, &L),
            Err(Refusal::MultiShotOff)
        );
    }

    #[test]
    fn cycling_wraps_and_handles_unknown_values() {
        assert_eq!(cycle(&["std", "pro"], "std", 1), "pro");
        assert_eq!(cycle(&["std", "pro"], "pro", 1), "std");
        assert_eq!(cycle(&["std", "pro"], "4k", -1), "pro");
        let mut b = Board::starter();
        cycle_mode(&mut b, -1);
        assert_eq!(b.mode, Mode::Reference);
        nudge_cfg_scale(&mut b, 12, &L);
        assert_eq!(b.cfg_scale, 1.0);
        nudge_cfg_scale(&mut b, -3, &L);
        assert_eq!(b.cfg_scale, 0.85);
    }
}
