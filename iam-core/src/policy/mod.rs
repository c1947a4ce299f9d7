//! The IAM policy language: text -> JSON tree with locations -> validated AST -> evaluator.

pub mod ast;
pub mod condition;
pub mod context;
pub mod diag;
pub mod eval;
pub mod json;
pub mod managed;
pub mod parse;
pub mod pattern;
pub mod print;
pub mod request;
pub mod trust;
pub mod values;

pub use ast::{Effect, Policy};
pub use context::Context;
pub use diag::{Diagnostic, Loc, Severity};
pub use eval::{evaluate, Decision, Explanation, Group, Named, Outcome, PolicySet};
pub use parse::{parse_policy, Parsed, PolicyKind};
pub use request::{GlobalFacts, Principal, PrincipalKind, Request};
