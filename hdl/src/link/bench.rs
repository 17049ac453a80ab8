//! Drives a rust-hdl block cycle by cycle in rust-hdl's own simulator: set inputs through
//! `.next`, [`Clocked::settle`] to see combinational outputs, [`Clocked::tick`] for one clock
//! cycle. Used by the blocks' unit tests and by the board's model simulation.

use rust_hdl::core::block::Block;
use rust_hdl::core::clock::Clock;
use rust_hdl::core::direction::In;
use rust_hdl::core::signal::Signal;

/// A block and its clock input.
pub struct Clocked<B: Block> {
    /// The block; set its inputs' `.next`, read its outputs' `.val()`.
    pub dut: B,
    clock: fn(&mut B) -> &mut Signal<In, Clock>,
    cycle: u64,
}

impl<B: Block> Clocked<B> {
    /// Connects `dut` and settles it with its inputs as they are; `clock` finds its clock.
    pub fn new(mut dut: B, clock: fn(&mut B) -> &mut Signal<In, Clock>) -> Self {
        dut.connect_all();
        let mut tb = Clocked { dut, clock, cycle: 0 };
        tb.settle();
        tb
    }

    /// Propagates input changes. Panics if the block does not settle (a combinational loop:
    /// a bug in a block, never in user input).
    pub fn settle(&mut self) {
        assert!(
            rust_hdl::core::simulate::simulate(&mut self.dut, 200),
            "the block did not settle in cycle {}",
            self.cycle
        );
    }

    /// One clock cycle: rising edge, settle, falling edge, settle.
    pub fn tick(&mut self) {
        (self.clock)(&mut self.dut).next = Clock { clk: true };
        self.settle();
        (self.clock)(&mut self.dut).next = Clock { clk: false };
        self.settle();
        self.cycle += 1;
    }

    /// Cycles ticked.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }
}
