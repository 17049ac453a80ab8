//! A byte-wide simple dual-port block RAM of any depth: one synchronous read port, one write
//! port, optionally initialised from a `$readmemh` file.
//!
//! Ports: `clock`; `read_addr[13]`, `read_enable`, out `read_data[8]` (registered: the word at
//! `read_addr` one cycle after an edge with `read_enable`, held otherwise); `write_addr[13]`,
//! `write_data[8]`, `write_enable`. Parameters: depth (at most 8192 bytes) and an optional
//! memory file. A read of the address written at the same edge returns the old byte.
//! Addresses past the depth read as zero in the Rust model and are never issued by the link.
//!
//! A leaf block: the Verilog body is written here (rust-hdl's own RAM has power-of-two depths
//! and writes its contents as `initial` lines), and `update` is its model for rust-hdl's
//! simulator; the link's Verilator tests keep the two equal.

use crate::verilog::readmemh;
use rust_hdl::prelude::*;

/// Bits of a link RAM address.
pub const ADDR_BITS: usize = 13;

/// Byte-wide simple dual-port RAM (see the module doc).
#[derive(LogicBlock)]
pub struct ByteRam {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Read address.
    pub read_addr: Signal<In, Bits<ADDR_BITS>>,
    /// Read at this edge.
    pub read_enable: Signal<In, Bit>,
    /// The byte read.
    pub read_data: Signal<Out, Bits<8>>,
    /// Write address.
    pub write_addr: Signal<In, Bits<ADDR_BITS>>,
    /// Byte to write.
    pub write_data: Signal<In, Bits<8>>,
    /// Write at this edge.
    pub write_enable: Signal<In, Bit>,
    _mem: Vec<u8>,
    _file: Option<String>,
}

impl ByteRam {
    /// A RAM of `depth` bytes, all zero.
    pub fn new(depth: usize) -> Self {
        Self::with_contents(depth, &[], None)
    }

    /// A RAM of `depth` bytes whose first bytes are `init`, loaded from the memory file `file`
    /// (which the caller writes, e.g. with [`ByteRam::mem_file`]).
    pub fn with_contents(depth: usize, init: &[u8], file: Option<String>) -> Self {
        assert!((1..=1 << ADDR_BITS).contains(&depth), "a link RAM holds 1 to {} bytes, not {depth}", 1 << ADDR_BITS);
        assert!(init.len() <= depth, "{} initial bytes do not fit a RAM of {depth}", init.len());
        let mut mem = vec![0; depth];
        mem[..init.len()].copy_from_slice(init);
        ByteRam {
            clock: Default::default(),
            read_addr: Default::default(),
            read_enable: Default::default(),
            read_data: Default::default(),
            write_addr: Default::default(),
            write_data: Default::default(),
            write_enable: Default::default(),
            _mem: mem,
            _file: file,
        }
    }

    /// Depth in bytes.
    pub fn depth(&self) -> usize {
        self._mem.len()
    }

    /// The `$readmemh` file of the initial contents (every byte, one per line).
    pub fn mem_file(&self) -> String {
        self._mem.iter().map(|b| format!("{b:02x}\n")).collect()
    }
}

impl Logic for ByteRam {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.read_enable.val() {
                let a = self.read_addr.val().index();
                self.read_data.next = u64::from(self._mem.get(a).copied().unwrap_or(0)).into();
            }
            if self.write_enable.val() {
                let a = self.write_addr.val().index();
                if let Some(b) = self._mem.get_mut(a) {
                    *b = self.write_data.val().to_u8();
                }
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let depth = self._mem.len();
        let init = match &self._file {
            Some(file) => readmemh("mem", file),
            None => String::new(),
        };
        Verilog::Custom(format!(
            "(* ram_style = \"block\" *) reg [7:0] mem [0:{}];\n{init}always @(posedge clock) begin\n    if (read_enable) read_data <= mem[read_addr];\n    if (write_enable) mem[write_addr] <= write_data;\nend\n",
            depth - 1
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;

    #[test]
    fn reads_one_cycle_late_holds_and_reads_old_on_collision() {
        let mut tb = Clocked::new(ByteRam::with_contents(300, &[9, 8, 7], Some("x.mem".into())), |b| &mut b.clock);
        assert_eq!(tb.dut.mem_file().lines().take(4).collect::<Vec<_>>(), ["09", "08", "07", "00"]);
        for a in 0..300u64 {
            tb.dut.write_addr.next = a.into();
            tb.dut.write_data.next = (a * 7 % 256).into();
            tb.dut.write_enable.next = a >= 3;
            tb.tick();
        }
        tb.dut.write_enable.next = false;
        tb.dut.read_enable.next = true;
        tb.dut.read_addr.next = 1.into();
        tb.tick();
        assert_eq!(tb.dut.read_data.val().to_u8(), 8);
        tb.dut.read_addr.next = 299.into();
        tb.tick();
        assert_eq!(tb.dut.read_data.val().to_u64(), 299 * 7 % 256);
        tb.dut.read_enable.next = false;
        tb.dut.read_addr.next = 5.into();
        tb.tick();
        assert_eq!(tb.dut.read_data.val().to_u64(), 299 * 7 % 256, "held without read_enable");
        // Read and write one address at the same edge: the old byte.
        tb.dut.read_enable.next = true;
        tb.dut.write_enable.next = true;
        tb.dut.write_addr.next = 5.into();
        tb.dut.write_data.next = 0xAA.into();
        tb.tick();
        assert_eq!(tb.dut.read_data.val().to_u64(), 35);
        tb.dut.write_enable.next = false;
        tb.tick();
        assert_eq!(tb.dut.read_data.val().to_u64(), 0xAA);
    }
}
