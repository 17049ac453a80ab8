//! The design as rust-hdl blocks: one [`Engine`] per dataflow node, chained inside a
//! [`Dataflow`] top level.
//!
//! The number of engines and every width come from the user's model at run time, so the
//! blocks hold them as data: engines are a `Vec` (rust-hdl visits a `Vec` of blocks as
//! numbered instances), stream data ports are run-time-width [`Wire`]s, and each engine's
//! body is a Verilog core specialised to its node (see `blocks/`), which rust-hdl emits as a
//! wrapped core. In simulation each engine runs its [cycle model](crate::model); the lockstep
//! test keeps model and core equal on every port in every cycle.
//!
//! Ports of both (the contract the simulator and board wrappers rely on): `clk`, `rst`
//! (synchronous, active high), `in_data/in_valid/in_ready`, `out_data/out_valid/out_ready`.

use crate::blocks::{dwc, fifo, mvu, threshold, Module};
use crate::model::{CycleModel, DwcModel, FifoModel, MvuModel, ThresholdModel};
use crate::wire::Wire;
use bitloom_compiler::ir::{DataflowGraph, Node, Stream};
use rust_hdl::core::ast::{Verilog, Wrapper};
use rust_hdl::core::bits::Bit;
use rust_hdl::core::block::Block;
use rust_hdl::core::clock::Clock;
use rust_hdl::core::direction::{In, Out};
use rust_hdl::core::logic::Logic;
use rust_hdl::core::module_defines::ModuleDefines;
use rust_hdl::core::probe::Probe;
use rust_hdl::core::signal::Signal;
use std::fmt::Write;

/// Visits a block's fields in the order rust-hdl's derive would.
macro_rules! block_fields {
    ($ty:ty, [$($port:ident),*] $(, $children:ident)?) => {
        impl Block for $ty {
            fn connect_all(&mut self) {
                self.connect();
                $(self.$port.connect_all();)*
                $(self.$children.connect_all();)?
            }

            fn update_all(&mut self) {
                self.update();
                $(self.$port.update_all();)*
                $(self.$children.update_all();)?
            }

            fn has_changed(&self) -> bool {
                false $(|| self.$port.has_changed())* $(|| self.$children.has_changed())?
            }

            fn accept(&self, name: &str, probe: &mut dyn Probe) {
                probe.visit_start_scope(name, self);
                $(self.$port.accept(stringify!($port), probe);)*
                $(self.$children.accept(stringify!($children), probe);)?
                probe.visit_end_scope(name, self);
            }
        }
    };
}

/// One dataflow node as a rust-hdl block.
pub struct Engine {
    /// Clock.
    pub clk: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// Input beat.
    pub in_data: Wire<In>,
    /// Input beat valid.
    pub in_valid: Signal<In, Bit>,
    /// This engine takes the input beat.
    pub in_ready: Signal<Out, Bit>,
    /// Output beat.
    pub out_data: Wire<Out>,
    /// Output beat valid.
    pub out_valid: Signal<Out, Bit>,
    /// The consumer takes the output beat.
    pub out_ready: Signal<In, Bit>,
    core: Module,
    model: Box<dyn CycleModel>,
}

impl Engine {
    /// The engine of `node` between streams `i` and `o`; `module` names its Verilog core.
    pub fn new(module: &str, node: &Node, i: &Stream, o: &Stream) -> Self {
        let (core, model): (Module, Box<dyn CycleModel>) = match node {
            Node::Mvu(m) => (mvu::emit(module, m, i, o), Box::new(MvuModel::new(m, i, o))),
            Node::Threshold(t) => (threshold::emit(module, t, i, o), Box::new(ThresholdModel::new(t, i, o))),
            Node::Dwc(d) => (dwc::emit(module, &d.name, i, o), Box::new(DwcModel::new(i, o))),
            Node::Fifo(f) => (fifo::emit(module, &f.name, f.depth, i), Box::new(FifoModel::new(f.depth, i))),
        };
        Engine {
            clk: Signal::default(),
            rst: Signal::default(),
            in_data: Wire::new(i.width()),
            in_valid: Signal::default(),
            in_ready: Signal::default(),
            out_data: Wire::new(o.width()),
            out_valid: Signal::default(),
            out_ready: Signal::default(),
            core,
            model,
        }
    }

    /// The Verilog core this engine wraps.
    pub fn core(&self) -> &Module {
        &self.core
    }
}

impl Logic for Engine {
    fn update(&mut self) {
        if self.clk.pos_edge() {
            self.model.clock(self.rst.val(), self.in_valid.val(), self.in_data.val(), self.out_ready.val());
        }
        self.in_ready.next = self.model.in_ready(self.out_ready.val());
        self.out_valid.next = self.model.out_valid();
        self.out_data.drive(&self.model.out_data());
    }

    fn connect(&mut self) {
        self.in_ready.connect();
        self.out_valid.connect();
        self.out_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let ports = ["clk", "rst", "in_data", "in_valid", "in_ready", "out_data", "out_valid", "out_ready"];
        let conns: Vec<String> = ports.iter().map(|p| format!(".{p}({p})")).collect();
        Verilog::Wrapper(Wrapper {
            code: format!("{} core ({});", self.core.name, conns.join(", ")),
            cores: self.core.text.clone(),
        })
    }
}

block_fields!(Engine, [clk, rst, in_data, in_valid, in_ready, out_data, out_valid, out_ready]);

/// The dataflow top level: the graph's engines chained stream to stream.
pub struct Dataflow {
    /// Clock.
    pub clk: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// Input beat of the graph's input stream.
    pub in_data: Wire<In>,
    /// Input beat valid.
    pub in_valid: Signal<In, Bit>,
    /// The design takes the input beat.
    pub in_ready: Signal<Out, Bit>,
    /// Output beat of the graph's output stream.
    pub out_data: Wire<Out>,
    /// Output beat valid.
    pub out_valid: Signal<Out, Bit>,
    /// The consumer takes the output beat.
    pub out_ready: Signal<In, Bit>,
    /// One engine per node, in stream order.
    pub engines: Vec<Engine>,
}

impl Dataflow {
    /// The design of a graph that passed the IR verifier; cores are named `<top>_<node>`.
    pub fn new(g: &DataflowGraph, top: &str) -> Self {
        let engines = g
            .iter()
            .map(|(id, node)| Engine::new(&format!("{top}_{}", node.name()), node, g.input_of(id), g.output_of(id)))
            .collect();
        Dataflow {
            clk: Signal::default(),
            rst: Signal::default(),
            in_data: Wire::new(g.input().width()),
            in_valid: Signal::default(),
            in_ready: Signal::default(),
            out_data: Wire::new(g.output().width()),
            out_valid: Signal::default(),
            out_ready: Signal::default(),
            engines,
        }
    }

    /// The Verilog of the whole design: the top module `top`, one wrapper module per engine,
    /// and the engines' cores.
    pub fn verilog(&self, top: &str) -> String {
        let mut defines = ModuleDefines::default();
        self.accept(top, &mut defines);
        defines.defines()
    }
}

/// Name of engine `k`'s port `port` inside the top module, as rust-hdl declares it.
fn engine_port(k: usize, port: &str) -> String {
    format!("engines${k}${port}")
}

impl Logic for Dataflow {
    fn update(&mut self) {
        let n = self.engines.len();
        for e in &mut self.engines {
            e.clk.next = self.clk.val();
            e.rst.next = self.rst.val();
        }
        self.engines[0].in_data.drive(self.in_data.val());
        self.engines[0].in_valid.next = self.in_valid.val();
        self.in_ready.next = self.engines[0].in_ready.val();
        for k in 1..n {
            let (up, down) = self.engines.split_at_mut(k);
            let (a, b) = (&mut up[k - 1], &mut down[0]);
            b.in_data.drive(a.out_data.val());
            b.in_valid.next = a.out_valid.val();
            a.out_ready.next = b.in_ready.val();
        }
        let last = &mut self.engines[n - 1];
        self.out_data.drive(last.out_data.val());
        self.out_valid.next = last.out_valid.val();
        last.out_ready.next = self.out_ready.val();
    }

    fn connect(&mut self) {
        for e in &mut self.engines {
            e.clk.connect();
            e.rst.connect();
            e.in_data.connect();
            e.in_valid.connect();
            e.out_ready.connect();
        }
        self.in_ready.connect();
        self.out_data.connect();
        self.out_valid.connect();
    }

    fn hdl(&self) -> Verilog {
        let n = self.engines.len();
        let mut v = String::from("always @(*) begin\n");
        let mut assign = |lhs: String, rhs: String| writeln!(v, "    {lhs} = {rhs};").unwrap();
        for k in 0..n {
            assign(engine_port(k, "clk"), "clk".into());
            assign(engine_port(k, "rst"), "rst".into());
        }
        assign(engine_port(0, "in_data"), "in_data".into());
        assign(engine_port(0, "in_valid"), "in_valid".into());
        assign("in_ready".into(), engine_port(0, "in_ready"));
        for k in 1..n {
            assign(engine_port(k, "in_data"), engine_port(k - 1, "out_data"));
            assign(engine_port(k, "in_valid"), engine_port(k - 1, "out_valid"));
            assign(engine_port(k - 1, "out_ready"), engine_port(k, "in_ready"));
        }
        assign("out_data".into(), engine_port(n - 1, "out_data"));
        assign("out_valid".into(), engine_port(n - 1, "out_valid"));
        assign(engine_port(n - 1, "out_ready"), "out_ready".into());
        v.push_str("end\n");
        Verilog::Custom(v)
    }
}

block_fields!(Dataflow, [clk, rst, in_data, in_valid, in_ready, out_data, out_valid, out_ready], engines);

/// Drives a [`Dataflow`] through rust-hdl's simulator one clock at a time, with the same
/// port-level interface as the Verilated simulation (`bitloom_sim::Sim`).
pub struct ModelSim {
    top: Dataflow,
    cycle: u64,
}

/// The design did not settle: a combinational loop (a bug in a block, never in user input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoConvergence {
    /// Cycle at which propagation did not settle.
    pub cycle: u64,
}

impl std::fmt::Display for NoConvergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the rust-hdl model did not settle in cycle {}", self.cycle)
    }
}

impl std::error::Error for NoConvergence {}

impl ModelSim {
    /// A simulation of `g`'s design, inputs low.
    pub fn new(g: &DataflowGraph) -> Result<Self, NoConvergence> {
        let mut top = Dataflow::new(g, crate::TOP);
        top.connect_all();
        let mut sim = ModelSim { top, cycle: 0 };
        sim.settle()?;
        Ok(sim)
    }

    fn settle(&mut self) -> Result<(), NoConvergence> {
        // Each pass moves a change one level down the hierarchy; a few dozen always suffice.
        if rust_hdl::core::simulate::simulate(&mut self.top, 64) {
            Ok(())
        } else {
            Err(NoConvergence { cycle: self.cycle })
        }
    }

    /// Sets `rst`.
    pub fn set_reset(&mut self, rst: bool) -> Result<(), NoConvergence> {
        self.top.rst.next = rst;
        self.settle()
    }

    /// Sets `in_valid` and `in_data`.
    pub fn set_input(&mut self, valid: bool, data: &[u64]) -> Result<(), NoConvergence> {
        self.top.in_valid.next = valid;
        self.top.in_data.drive(data);
        self.settle()
    }

    /// Sets `out_ready`.
    pub fn set_out_ready(&mut self, ready: bool) -> Result<(), NoConvergence> {
        self.top.out_ready.next = ready;
        self.settle()
    }

    /// One clock cycle: rising edge, settle, falling edge, settle.
    pub fn tick(&mut self) -> Result<(), NoConvergence> {
        self.top.clk.next = Clock { clk: true };
        self.settle()?;
        self.top.clk.next = Clock { clk: false };
        self.settle()?;
        self.cycle += 1;
        Ok(())
    }

    /// `in_ready` now.
    pub fn in_ready(&self) -> bool {
        self.top.in_ready.val()
    }

    /// `out_valid` now.
    pub fn out_valid(&self) -> bool {
        self.top.out_valid.val()
    }

    /// `out_data` now.
    pub fn out_data(&self) -> &[u64] {
        self.top.out_data.val()
    }

    /// Cycles ticked so far.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }
}
