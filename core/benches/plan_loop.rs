//! Runs `plan` on one body N times (or, as `evaluate:<body>`, the routing rules'
//! evaluation alone), for instruction counting under callgrind:
//! `valgrind --tool=callgrind <plan_loop binary> store 10000`. bench/core_cost.py builds it
//! (`cargo build --release --bench plan_loop`), runs it at two counts and divides the
//! difference, so start-up cost cancels out. A bench target without a harness, so it
//! shares `bodies` with the criterion bench (benches/plan.rs) as a module.

mod bodies;

fn main() {
    // `cargo bench` runs every bench target with `--bench`: one short loop then.
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let name = args.next().unwrap_or_else(|| "store".into());
    let count: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    // `evaluate:<body>`: the routing rules' evaluation alone, on the body parsed once.
    let (evaluate_only, name) = match name.strip_prefix("evaluate:") {
        Some(body) => (true, body.to_owned()),
        None => (false, name),
    };
    let Some((_, body)) = bodies::BODIES.iter().find(|(n, _)| *n == name) else {
        let names: Vec<_> = bodies::BODIES.iter().map(|(n, _)| *n).collect();
        eprintln!("unknown body {name:?}; one of {}", names.join(", "));
        std::process::exit(2);
    };
    let envelope = bodies::envelope_for(&name);
    let rules = bodies::rules_for(&name);
    if evaluate_only {
        let rules = rules.expect("evaluate: takes a body routed by rules (iot_*)");
        let message = private_ingest_core::parse_message_str(body).expect("a valid body");
        let mut fired = 0usize;
        for _ in 0..count {
            fired += rules.evaluate(std::hint::black_box(&message)).fired.len();
        }
        println!("evaluate:{name}: {fired} rules fired in {count} evaluations");
        return;
    }
    let mut ok = 0u64;
    for _ in 0..count {
        ok += u64::from(bodies::plan_body(body, &envelope, rules).is_ok());
    }
    println!("{name}: {ok}/{count} planned");
}
