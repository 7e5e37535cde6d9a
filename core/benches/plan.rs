//! Core cost per message: route + validate + build record (`plan`), in ns/message; with
//! routing rules, the whole plan (`iot_*` bodies) and the rules' evaluation alone
//! (`rules_evaluate`, on a parsed message).
//! `make bench` runs this; instructions/message come from callgrind (benches/plan_loop.rs),
//! which is repeatable on a noisy machine where wall time is not.

mod bodies;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use private_ingest_core::parse_message_str;

fn bench_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Elements(1));
    for (name, body) in bodies::BODIES {
        let envelope = bodies::envelope_for(name);
        let rules = bodies::rules_for(name);
        group.bench_function(*name, |b| {
            b.iter(|| bodies::plan_body(body, &envelope, rules))
        });
    }
    group.finish();
}

fn bench_rules_evaluate(c: &mut Criterion) {
    let mut group = c.benchmark_group("rules_evaluate");
    group.throughput(Throughput::Elements(1));
    for (name, body) in bodies::BODIES.iter().filter(|(n, _)| n.starts_with("iot_")) {
        let rules = bodies::rules_for(name).expect("iot bodies have rules");
        let message = parse_message_str(body).expect("a valid body");
        group.bench_function(*name, |b| {
            b.iter(|| rules.evaluate(black_box(&message)).actions)
        });
    }
    group.finish();
}

criterion_group!(benches, bench_plan, bench_rules_evaluate);
criterion_main!(benches);
