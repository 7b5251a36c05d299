//! `make bench`'s grid rows: a 200-row page of the population grid and a key search through
//! the Tauri command, as the webview calls them (Tauri's IPC on the mock runtime, the request
//! deserialised, the command run on the async runtime, the answer serialised), on the
//! engagements benches/table.sh imported. Each row: p50 and p95 against DESIGN.md's target.
//!
//! `TICKMARK_BENCH_GRID` lists the engagements (`LABEL=PATH`, separated by semicolons); each must hold
//! an imported population for control C1.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tauri::Manager;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};
use tickmark_app::files::Access;
use tickmark_app::{AppState, Launch};

struct Shell {
    app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

impl Shell {
    fn new() -> Shell {
        let dir = tempfile::tempdir().unwrap();
        let launch = Launch { data_dir: Some(dir.path().to_path_buf()), ..Launch::default() };
        let app = tickmark_app::builder(mock_builder(), launch).build(mock_context(noop_assets())).unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Shell { app, webview, _dir: dir }
    }

    fn call(&self, cmd: &str, args: Value) -> Value {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        match get_ipc_response(&self.webview, request) {
            Ok(body) => body.deserialize::<Value>().unwrap(),
            Err(e) => panic!("{cmd}: {e}"),
        }
    }
}

/// The p-th percentile (nearest rank) of `times`, sorted in place.
fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The process's peak resident memory so far (VmHWM), in MB.
fn peak_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    kib.unwrap_or(0) / 1024
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Ok(list) = std::env::var("TICKMARK_BENCH_GRID") else {
        eprintln!("grid bench: TICKMARK_BENCH_GRID names no engagement");
        return;
    };
    for entry in list.split(';').filter(|e| !e.is_empty()) {
        let (label, path) = entry.split_once('=').expect("LABEL=PATH");
        let shell = Shell::new();
        let handle = shell.app.state::<AppState>().files.issue(path.into(), Access::Read).handle;
        shell.call("engagement_open", json!({ "file": handle }));
        let population = shell.call("population_current", json!({ "control": "C1" }));
        let id = population["id"].as_i64().expect("an imported population for C1");
        let n = population["itemCount"].as_u64().unwrap();
        // Pages spread over the population (a fixed stride, no random source), each asked once.
        let pages = 400u64;
        let mut times: Vec<Duration> = (0..pages)
            .map(|i| {
                let offset = (i * 7_919 * 200) % n.saturating_sub(200).max(1);
                let t = Instant::now();
                let page =
                    shell.call("population_items", json!({ "populationId": id, "offset": offset, "limit": 200 }));
                let took = t.elapsed();
                assert_eq!(page.as_array().unwrap().len(), 200);
                took
            })
            .collect();
        let (p50, p95) = (percentile(&mut times, 50.0), percentile(&mut times, 95.0));
        println!(
            "| a 200-row grid page of {label} through the Tauri command (IPC, {pages} pages): p50 / p95 | {} / {} | target p95 {} | {:.3} | {} MB (process) |",
            ms(p50),
            ms(p95),
            ms(Duration::from_millis(20)),
            p95.as_secs_f64() / 0.020,
            peak_mb()
        );
        // Key searches: a narrow prefix, a 1-in-10 prefix, a prefix nothing has, and a broad one.
        let queries = ["ACME-9999", "acme-12345", "ACME-5", "NOPE-", "acme-"];
        let mut times: Vec<Duration> = (0..11)
            .flat_map(|_| queries.iter())
            .map(|q| {
                let t = Instant::now();
                shell.call("population_find", json!({ "populationId": id, "query": q, "limit": 200 }));
                t.elapsed()
            })
            .collect();
        let (p50, p95) = (percentile(&mut times, 50.0), percentile(&mut times, 95.0));
        println!(
            "| key search of {label} through the Tauri command ({} searches: {}): p50 / p95 | {} / {} | target {} | {:.3} | {} MB (process) |",
            times.len(),
            queries.join(", "),
            ms(p50),
            ms(p95),
            ms(Duration::from_millis(50)),
            p95.as_secs_f64() / 0.050,
            peak_mb()
        );
    }
}
