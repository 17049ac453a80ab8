//! `bitloom bench --only link --quick`: the example through the virtual board at 115 200, 1 M
//! and 3 M baud, with 16 ms latency, a slowed board and a busy host; the demo's 20-image run
//! repeated; and injected faults. Every answer matches the reference, no zero-fault run retries
//! anything, the link carries at least nine tenths of the wire limit when requests are pipelined
//! (in simulated time), never more than the limit, pipelining beats stop-and-wait, and under
//! faults every image is answered correctly or reported missing.

mod common;

use common::{bitloom, text};

/// The numeric rows of the markdown table under the heading that starts with `heading`.
fn table(out: &str, heading: &str) -> Vec<Vec<String>> {
    let start = out.find(heading).unwrap_or_else(|| panic!("no {heading:?} in {out}"));
    out[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with("| ") && l.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().trim_end_matches(" %").to_string()).collect())
        .collect()
}

fn num(r: &[String], i: usize) -> f64 {
    r[i].parse().unwrap_or_else(|_| panic!("column {i} of {r:?}"))
}

#[test]
fn link_tables_meet_their_goals() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let o = bitloom(&["bench", "--only", "link", "--quick", "--runs", "2", "--dir", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();

    let rows = table(&out, "## (d)");
    assert_eq!(rows.len(), 8, "{out}");
    let mut by_window = Vec::new();
    for r in &rows {
        let (baud, window, latency, host) = (num(r, 0), num(r, 1), num(r, 2), r[3].as_str());
        let (ips, limit, efficiency, retries, mismatches) = (num(r, 5), num(r, 6), num(r, 9), num(r, 10), num(r, 12));
        assert_eq!((mismatches, retries), (0.0, 0.0), "{out}");
        assert!((0.95..=1.0).contains(&efficiency), "{out}");
        assert!(ips <= limit * 1.001, "faster than the wire allows: {out}");
        if window >= 2.0 && latency == 0.0 && host == "idle" {
            assert!(ips >= 0.9 * limit, "pipelined requests below 90 % of the wire limit: {out}");
        }
        if baud == 3_000_000.0 && latency == 0.0 && host == "idle" {
            by_window.push((window, ips));
        }
    }
    by_window.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(by_window.len() == 2 && by_window[0].1 < 0.9 * by_window[1].1, "stop-and-wait is not slower: {out}");

    let demo = table(&out, "### The README demo");
    assert_eq!(demo.len(), 3, "{out}");
    for r in &demo {
        // runs, runs with retries, retries, dropped, mismatches
        assert_eq!((num(r, 2), num(r, 3), num(r, 4), num(r, 6)), (2.0, 0.0, 0.0, 0.0), "{out}");
    }

    let faults = table(&out, "### Under injected faults");
    assert_eq!(faults.len(), 3, "{out}");
    for r in &faults {
        let (rate, images, injected) = (num(r, 0), num(r, 1), num(r, 2));
        let (correct, missing, wrong) = (num(r, 5), num(r, 6), num(r, 7));
        // Ten images carry about 16 kB both ways: a rate of 1e-3 hits some.
        assert!(injected > 0.0 || rate < 1e-3, "{out}");
        assert_eq!((correct + missing, wrong), (images, 0.0), "{out}");
    }
}
