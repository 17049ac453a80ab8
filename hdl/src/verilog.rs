//! Small helpers shared by the block generators: bit-width arithmetic, memory files, and
//! the `$readmemh` pattern that lets one Verilated library run with any weights.

use std::fmt::Write;

/// Bits needed to count `0..n` (at least 1): `ceil(log2(n))`.
pub fn clog2(n: usize) -> usize {
    (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1) as usize
}

/// A memory initialisation file for `$readmemh`: one word per line, `width` bits in hex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemFile {
    /// File name (no directory), e.g. `fc0_w.mem`.
    pub name: String,
    /// Bits per word.
    pub width: usize,
    /// Words as little-endian u64 limbs.
    pub words: Vec<Vec<u64>>,
}

impl MemFile {
    /// The file's text.
    pub fn render(&self) -> String {
        let digits = self.width.div_ceil(4);
        let mut s = String::with_capacity(self.words.len() * (digits + 1));
        for w in &self.words {
            for d in (0..digits).rev() {
                let nibble = (w.get(d / 16).copied().unwrap_or(0) >> ((d % 16) * 4)) & 0xf;
                s.push(char::from_digit(nibble as u32, 16).unwrap());
            }
            s.push('\n');
        }
        s
    }
}

/// Sets bit `pos` of a little-endian limb vector.
pub fn set_bit(words: &mut [u64], pos: usize) {
    words[pos / 64] |= 1 << (pos % 64);
}

/// Writes `value`'s low `bits` bits at bit `pos`.
pub fn put_bits(words: &mut [u64], pos: usize, bits: usize, value: u64) {
    for b in 0..bits {
        if value >> b & 1 == 1 {
            set_bit(words, pos + b);
        }
    }
}

/// Verilog that loads `file` into `mem`. Under Verilator the directory comes from the
/// `+bitloom_mem_dir=` plusarg, so a built simulation can run with new weights; synthesis
/// tools read the file relative to where they run.
pub fn readmemh(mem: &str, file: &str) -> String {
    let mut s = String::new();
    writeln!(s, "`ifdef VERILATOR").unwrap();
    writeln!(s, "  string {mem}_dir;").unwrap();
    writeln!(s, "  initial begin").unwrap();
    writeln!(s, "    if (!$value$plusargs(\"bitloom_mem_dir=%s\", {mem}_dir)) {mem}_dir = \".\";").unwrap();
    writeln!(s, "    $readmemh({{{mem}_dir, \"/{file}\"}}, {mem});").unwrap();
    writeln!(s, "  end").unwrap();
    writeln!(s, "`else").unwrap();
    writeln!(s, "  initial $readmemh(\"{file}\", {mem});").unwrap();
    writeln!(s, "`endif").unwrap();
    s
}

/// The standard stream ports every dataflow block has.
pub fn stream_ports(in_bits: usize, out_bits: usize, out_reg: bool) -> String {
    let kind = if out_reg { "reg " } else { "wire" };
    format!(
        "  input  wire clk,\n  input  wire rst,\n  input  wire [{}:0] in_data,\n  input  wire in_valid,\n  output wire in_ready,\n  output {kind} [{}:0] out_data,\n  output {kind} out_valid,\n  input  wire out_ready",
        in_bits - 1,
        out_bits - 1
    )
}

/// `width`-bit sized literal of `v` (two's complement for negatives).
pub fn lit(width: usize, v: i64) -> String {
    let mask = if width >= 64 { u64::MAX } else { (1u64 << width) - 1 };
    format!("{width}'d{}", (v as u64) & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clog2_values() {
        assert_eq!([clog2(1), clog2(2), clog2(3), clog2(4), clog2(5), clog2(1024)], [1, 1, 2, 2, 3, 10]);
    }

    #[test]
    fn memfile_renders_hex_words() {
        let m = MemFile { name: "a.mem".into(), width: 70, words: vec![vec![0xabc, 0x3f]] };
        assert_eq!(m.render(), "3f0000000000000abc\n");
        assert_eq!(lit(4, -1), "4'd15");
    }
}
