//! Core cost per message: route + validate + build record (`plan`), in ns/message.
//! `make bench` runs this; instructions/message come from callgrind (examples/plan_loop.rs),
//! which is repeatable on a noisy machine where wall time is not.

mod bodies;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use private_ingest_core::{plan, NotificationContent, RandomValue};

fn bench_plan(c: &mut Criterion) {
    let envelope = bodies::envelope();
    let random = RandomValue::new(42).expect("in range");
    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Elements(1));
    for (name, body) in bodies::BODIES {
        group.bench_function(*name, |b| {
            b.iter(|| {
                plan(
                    black_box(body.as_bytes()),
                    &envelope,
                    random,
                    bodies::NOW_MS,
                    // The costlier way: notifications quote the caller's data.
                    NotificationContent::WithCallerData,
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);
