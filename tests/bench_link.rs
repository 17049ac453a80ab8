//! `bitloom bench --only link --quick`: the example through the virtual board at 115 200, 1 M
//! and 3 M baud. Every answer matches the reference, the link carries at least nine tenths of
//! the wire limit when requests are pipelined, never more than the limit, and pipelining beats
//! stop-and-wait.

mod common;

use common::{bitloom, text};

#[test]
fn link_table_is_near_the_wire_limit() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let o = bitloom(&["bench", "--only", "link", "--quick", "--dir", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let table = String::from_utf8_lossy(&o.stdout).into_owned();
    let rows: Vec<Vec<String>> = table
        .lines()
        .filter(|l| l.starts_with("| ") && l.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().trim_end_matches(" %").to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 4, "{table}");
    let num = |r: &[String], i: usize| -> f64 { r[i].parse().unwrap_or_else(|_| panic!("column {i} of {r:?}")) };
    let mut by_window = Vec::new();
    for r in &rows {
        let (baud, window, ips, limit, efficiency, mismatches) =
            (num(r, 0), num(r, 1), num(r, 3), num(r, 4), num(r, 7), num(r, 8));
        assert_eq!(mismatches, 0.0, "{table}");
        assert!(efficiency > 0.8 && efficiency <= 1.0, "{table}");
        assert!(ips <= limit * 1.001, "faster than the wire allows: {table}");
        if window >= 2.0 {
            assert!(ips >= 0.9 * limit, "pipelined requests below 90 % of the wire limit: {table}");
        }
        if baud == 3_000_000.0 {
            by_window.push((window, ips));
        }
    }
    by_window.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(by_window.len() == 2 && by_window[0].1 < 0.9 * by_window[1].1, "stop-and-wait is not slower: {table}");
}
