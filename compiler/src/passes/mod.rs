//! Transform passes, one per file, each a pure function from graph to graph.

mod fold_graph;
mod insert_fifos;
mod lower_model;

pub use fold_graph::fold_graph;
pub use insert_fifos::insert_fifos;
pub use lower_model::lower_model;
pub(crate) use lower_model::lowered_layers;
