//! bitloom's host driver: the wire protocol and transports that talk to a board.
//!
//! Not yet implemented: the link protocol, the serial transport and the inference API arrive
//! with the boards work. This crate deliberately exposes nothing until then.
#![warn(missing_docs)]
