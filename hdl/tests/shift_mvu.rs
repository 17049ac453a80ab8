//! The shift-add MVU has no multiplier anywhere: neither in the RTL (no `$mul` cell after
//! yosys's front end) nor in the netlists of the families that offer DSP blocks, synthesized
//! with DSP inference on (iCE40 SB_MAC16, ECP5 MULT18X18D, 7-series DSP48E1).

use bitloom_hdl::blocks::cases;
use std::process::Command;

#[test]
fn shift_mvu_synthesizes_without_multipliers_or_dsps() {
    let ok = Command::new("yosys").arg("-V").output().is_ok();
    assert!(ok, "this test needs `yosys`: install it with `apt-get install yosys`");
    let case = cases().into_iter().find(|c| c.name == "shift_mvu_uint4").expect("the uint4 case");
    let dir = tempfile::tempdir().unwrap();
    let rtl = bitloom_hdl::emit(&case.graph);
    let files = rtl.write_to(dir.path()).unwrap();
    let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let read = format!("read_verilog {}", names.join(" "));
    let top = &rtl.top;
    for (flow, cells) in [
        (format!("hierarchy -top {top}; proc; opt"), "t:$mul"),
        (format!("synth_ice40 -dsp -top {top}"), "t:SB_MAC16 t:$mul"),
        (format!("synth_ecp5 -top {top}"), "t:MULT18X18D t:$mul"),
        (format!("synth_xilinx -family xc7 -top {top}"), "t:DSP48E1 t:$mul"),
    ] {
        // `select -assert-none` fails the script when any such cell is left.
        let script = format!("{read}; {flow}; select -assert-none {cells}");
        let out = Command::new("yosys").args(["-q", "-p", &script]).current_dir(dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "{flow}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
