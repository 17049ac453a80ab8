//! `compile --board` and `flash` without synthesis: the board's clock, LEDs, pin file and PLL
//! in the top level, the folding chosen to fit the board, early refusal of a design whose
//! memories cannot fit (writing nothing), and the programmer command.

mod common;

use common::{bitloom, text};

/// `bitloom compile examples/tfc-w1a1 -o OUT --board BOARD EXTRA…`.
fn compile_example(out: &std::path::Path, board: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["compile", "examples/tfc-w1a1", "-o", out.to_str().unwrap(), "--board", board];
    args.extend_from_slice(extra);
    bitloom(&args)
}

fn design(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("design.json")).unwrap()).unwrap()
}

#[test]
fn compile_for_icebreaker_fits_and_writes_its_pins() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tfc");
    let o = compile_example(&out, "icebreaker", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let d = design(&out);
    // The fastest folding whose block RAM estimate leaves a tenth of the UP5K's 30 blocks free.
    assert_eq!(d["ii"], 3136, "{}", text(&o));
    let b = &d["board"];
    assert_eq!(b["target"], "icebreaker");
    assert_eq!(b["clock_hz"], 12_000_000);
    assert_eq!(b["leds"], 7);
    let [used, avail] = [b["memory_blocks"][0].as_u64().unwrap(), b["memory_blocks"][1].as_u64().unwrap()];
    assert!(used <= 27 && avail == 30, "{b}");
    assert!(text(&o).contains("of 30 on icebreaker"), "{}", text(&o));
    // The pin file is the board's, byte for byte; the two on-board LEDs are lit by a low pin.
    assert_eq!(
        std::fs::read_to_string(out.join("icebreaker.pcf")).unwrap(),
        std::fs::read_to_string("constraints/icebreaker.pcf").unwrap()
    );
    let top = std::fs::read_to_string(out.join("rtl/bitloom_board.v")).unwrap();
    assert!(top.contains("assign led[0] = ~heartbeat;") && top.contains("assign led[2] = error;"), "{top}");
    assert!(!top.contains("PLL"), "{top}");
}

#[test]
fn a_clock_other_than_the_boards_gets_a_pll() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tfc");
    let o = compile_example(&out, "icebreaker", &["--clock-mhz", "24"]);
    assert!(o.status.success(), "{}", text(&o));
    let top = std::fs::read_to_string(out.join("rtl/bitloom_board.v")).unwrap();
    // 12 MHz · 64 / 2^5 on the iCEBreaker's PLL pad (icepll: DIVR 0, DIVF 63, DIVQ 5).
    assert!(
        top.contains("SB_PLL40_PAD") && top.contains(".DIVF(7'd63)") && top.contains(".rst_in(~pll_locked)"),
        "{top}"
    );
    let d = design(&out);
    assert_eq!(d["board"]["clock_hz"], 24_000_000);
    assert_eq!(d["board"]["divisor"], 208);
    assert_eq!(d["board"]["pll_in_hz"], 12_000_000);
    // The Alchitry Cu's table clock (50 MHz from 100) takes a PLL by default, the core variant.
    let cu = dir.path().join("cu");
    let o = compile_example(&cu, "alchitry-cu", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read_to_string(cu.join("rtl/bitloom_board.v")).unwrap().contains("SB_PLL40_CORE"));
    // A clock no PLL can make is refused.
    let o = compile_example(&dir.path().join("x"), "icebreaker", &["--clock-mhz", "400"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("no iCE40 PLL setting makes 400 MHz from 12 MHz"), "{}", text(&o));
}

#[test]
fn a_design_too_big_for_the_board_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fast");
    let o = compile_example(&out, "icebreaker", &["--target-ii", "49"]);
    assert!(!o.status.success());
    let msg = text(&o);
    assert!(msg.contains("does not fit icebreaker") && msg.contains("SB_RAM40_4K of 30 at II 49"), "{msg}");
    assert!(msg.contains("fc0 weights") && msg.contains("--target-ii"), "{msg}");
    assert!(!out.exists(), "a refused compile wrote {}", out.display());
    // Unknown boards are named with the known ones.
    let o = compile_example(&out, "icestick", &[]);
    assert!(!o.status.success());
    assert!(text(&o).contains("icestick") && text(&o).contains("icebreaker"), "{}", text(&o));
}

#[test]
fn flash_runs_or_prints_the_programmer() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tfc");
    let o = compile_example(&out, "ulx3s", &[]);
    assert!(o.status.success(), "{}", text(&o));
    // Before synthesis there is nothing to load.
    let o = bitloom(&["flash", out.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("run `bitloom synth"), "{}", text(&o));
    std::fs::write(out.join("bitstream.bit"), b"placeholder: flash does not read it in a dry run").unwrap();
    let o = bitloom(&["flash", out.to_str().unwrap(), "--dry-run"]);
    let t = text(&o);
    // Either a programmer is installed (its command, exit 0) or every command is printed (exit 1).
    assert!(t.contains("bitstream.bit"), "{t}");
    match o.status.code() {
        Some(0) => assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 1, "{t}"),
        Some(1) => assert!(t.contains("no programmer for ulx3s is installed"), "{t}"),
        c => panic!("exit {c:?}: {t}"),
    }
    // A build without a board cannot be flashed.
    let plain = dir.path().join("plain");
    assert!(bitloom(&["compile", "examples/tfc-w1a1", "-o", plain.to_str().unwrap()]).status.success());
    let o = bitloom(&["flash", plain.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("has no board"), "{}", text(&o));
}
