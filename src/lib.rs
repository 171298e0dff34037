//! ktrace: where does the `kubectl top pod` number come from?
//!
//! # Layout
//! Layers depend one way only:
//!
//! - [`cli`] / [`app`]: flags, orchestration, exit codes ([`exit`]).
//! - [`fetch`]: the only code that does network I/O (kube, reqwest, tokio); produces [`evidence::Evidence`].
//! - [`evidence`]: serde types; a live fetch and a bundle file are the same value.
//! - [`lineage`]: pure analysis, evidence in, [`lineage::Lineage`] out (no I/O, no clock).
//! - [`render`]: text / JSON / Markdown to a writer it is given.
//! - [`exposition`], [`promql`], [`quantity`]: pure parsers shared by the layers above.
//! - [`compare`]: pure; other tools' queries explained against `top`.

pub mod app;
pub mod cli;
pub mod compare;
pub mod escape;
pub mod evidence;
pub mod exit;
pub mod exposition;
pub mod fetch;
pub mod lineage;
pub mod node;
pub mod objects;
pub mod promql;
pub mod quantity;
pub mod render;
