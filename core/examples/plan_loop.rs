//! Runs `plan` on one body N times, for instruction counting under callgrind:
//! `valgrind --tool=callgrind target/release/examples/plan_loop store 10000`.
//! The bench script runs it at two counts and divides the difference, so start-up cost
//! cancels out.

#[path = "../benches/bodies.rs"]
mod bodies;

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "store".into());
    let count: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let Some((_, body)) = bodies::BODIES.iter().find(|(n, _)| *n == name) else {
        let names: Vec<_> = bodies::BODIES.iter().map(|(n, _)| *n).collect();
        eprintln!("unknown body {name:?}; one of {}", names.join(", "));
        std::process::exit(2);
    };
    let envelope = bodies::envelope_for(&name);
    let mut ok = 0u64;
    for _ in 0..count {
        ok += u64::from(bodies::plan_body(body, &envelope).is_ok());
    }
    println!("{name}: {ok}/{count} planned");
}
