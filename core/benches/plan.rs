//! Core cost per message: route + validate + build record (`plan`), in ns/message.
//! `make bench` runs this; instructions/message come from callgrind (benches/plan_loop.rs),
//! which is repeatable on a noisy machine where wall time is not.

mod bodies;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Elements(1));
    for (name, body) in bodies::BODIES {
        let envelope = bodies::envelope_for(name);
        group.bench_function(*name, |b| b.iter(|| bodies::plan_body(body, &envelope)));
    }
    group.finish();
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);
