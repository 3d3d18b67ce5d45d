//! The pure core is run on every keystroke: validate and compose a 6-shot board.
//! `cargo bench --bench core`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shotdeck::core::compose::PlaceholderImages;
use shotdeck::core::cost::{default_prices, estimate};
use shotdeck::core::{Board, ImageFacts, Provider, Shot, compose, validate};

fn six_shot_board() -> Board {
    Board {
        shots: (0..6)
            .map(|i| {
                Shot::new(
                    format!(
                        "Shot {i}: {}",
                        "a slow dolly through neon rain, ".repeat(14)
                    ),
                    2,
                )
            })
            .collect(),
        negative_prompt: "blurry, low detail".into(),
        ..Board::default()
    }
}

fn bench(c: &mut Criterion) {
    let board = six_shot_board();
    let facts = ImageFacts::new();
    let prices = default_prices();
    c.bench_function("validate 6-shot board", |b| {
        b.iter(|| validate(black_box(&board), Provider::Kling, &facts))
    });
    c.bench_function("compose 6-shot board (kling)", |b| {
        b.iter(|| compose(black_box(&board), Provider::Kling, &PlaceholderImages, "k"))
    });
    c.bench_function(
        "validate + compose + estimate (one keystroke's core work)",
        |b| {
            b.iter(|| {
                let f = validate(black_box(&board), Provider::Kling, &facts);
                let r = compose(&board, Provider::Kling, &PlaceholderImages, "k");
                let e = estimate(&board, Provider::Kling, &prices);
                (f, r, e)
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
