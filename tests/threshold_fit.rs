//! The block RAM estimate of threshold units against yosys: for each per-channel threshold
//! case of the hardware harness and a QIL-sized unit (23-bit sums, 15 steps), `synth_ice40`
//! must use exactly the SB_RAM40_4K that `bitloom_flow::fit` counts for its stage memories, the
//! stages built of flip-flops none, with the write port live, as on a board. Needs yosys.

use bitloom_flow::boards::Family;
use bitloom_flow::fit::blocks;
use bitloom_compiler::ir::{DataflowGraph, Node, Stream, Threshold};
use bitloom_compiler::model::{threshold_output_type, ThresholdOutput, ThresholdTable};
use bitloom_compiler::types::DataType;
use std::process::Command;

/// SB_RAM40_4K cells yosys uses for `g` with its write port live (tied off, a memory is a ROM
/// whose constant bits yosys removes).
fn yosys_brams(g: &DataflowGraph) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let (rtl, _) = bitloom_hdl::emit_write_shell(g);
    let files = rtl.write_to(dir.path()).unwrap();
    let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let script = format!("read_verilog {}; synth_ice40 -top {}; tee -q -o stat.txt stat", names.join(" "), rtl.top);
    let out = Command::new("yosys").args(["-q", "-p", &script]).current_dir(dir.path()).output();
    let out = out.expect("this test needs yosys (apt-get install yosys)");
    assert!(out.status.success(), "yosys: {}", String::from_utf8_lossy(&out.stderr));
    let stat = std::fs::read_to_string(dir.path().join("stat.txt")).unwrap();
    stat.lines().find_map(|l| l.trim().strip_prefix("SB_RAM40_4K").map(|n| n.trim().parse().unwrap())).unwrap_or(0)
}

/// The estimate's SB_RAM40_4K for `g`'s threshold memories.
fn estimated(g: &DataflowGraph) -> u64 {
    bitloom_hdl::memory::memories(g)
        .iter()
        .flat_map(|m| m.banks.iter().filter(|b| !b.logic))
        .map(|b| b.copies as u64 * blocks(Family::Ice40, b.width, b.depth))
        .sum()
}

/// A unit of `len` channels of `input`, PE `pe`, `steps` distinct thresholds per channel.
fn unit(input: DataType, len: usize, pe: usize, steps: usize) -> DataflowGraph {
    let values = (0..len * steps).map(|v| (v % steps) as i64 * 3 - 20).collect();
    let thresholds = ThresholdTable::new(len, steps, values).unwrap();
    let output = ThresholdOutput::Integer { bias: 0 };
    let node = Node::Threshold(Threshold { name: "act".into(), thresholds, output, pe });
    let i = Stream { dtype: input, len, fold: pe };
    let o = Stream { dtype: threshold_output_type(steps, output), len, fold: pe };
    DataflowGraph { name: "t".into(), nodes: vec![node], edges: vec![i, o] }
}

#[test]
fn threshold_block_ram_estimate_matches_yosys() {
    let mut graphs: Vec<(String, DataflowGraph)> = bitloom_hdl::blocks::cases()
        .into_iter()
        .filter(|c| matches!(&c.graph.nodes[0], Node::Threshold(t) if t.thresholds.rows() > 1))
        .map(|c| (c.name.to_string(), c.graph))
        .collect();
    graphs.push(("qil 16 channels".into(), unit(DataType::Int(22), 16, 1, 15)));
    graphs.push(("qil 16 channels, PE 2".into(), unit(DataType::Int(22), 16, 2, 15)));
    let mut some_logic = false;
    for (name, g) in &graphs {
        let banks: Vec<_> = bitloom_hdl::memory::memories(g).into_iter().flat_map(|m| m.banks).collect();
        some_logic |= banks.iter().any(|b| b.logic);
        assert_eq!(yosys_brams(g), estimated(g), "{name}: {banks:?}");
    }
    // The QIL unit: four stages of 23 bits, two blocks each.
    assert_eq!(estimated(&graphs[graphs.len() - 2].1), 8);
    assert!(some_logic, "no case has a stage in flip-flops");
}
