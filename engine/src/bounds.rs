//! Depth budgets, written once: every recursive parser and evaluator (JSONPath, the shells'
//! grammars and `$(…)`, arithmetic, `[[ … ]]`, YAML, CRD schemas, lesson goals) counts its
//! nesting with a [`Depth`] and refuses input past its limit instead of overflowing the stack
//! (a wasm page has a small one). The limits live here, side by side.

use std::fmt;

/// JSONPath: nested `{range}` blocks, and filters nested inside filters. kubectl has no
/// limit (Go stacks grow); no real template comes near it.
pub const JSONPATH: usize = 64;
/// Go templates (`-o go-template`): nested `if`/`range`/`with` blocks. Go's own limit is
/// far higher; no real template comes near this.
pub const GO_TEMPLATE: usize = 64;
/// YAML collections. go-yaml stops at 10000; the loader, the JSON conversion, the typed
/// decoding and dropping the values all recurse once per level, so Kubeplay stops lower,
/// still far above any real object.
pub const YAML: usize = 200;
/// A CRD's `openAPIV3Schema`.
pub const SCHEMA: usize = 64;
/// Compound commands (`for`, `while`, `if`, `case`) nested in one shell script.
pub const SHELL: usize = 16;
/// Nested `$(…)` and `sh -c` (a shell that runs a shell), in the console and in
/// containers: each level runs a whole script.
pub const SUBSHELL: usize = 8;
/// `source` of a file that sources files (bash's own limit is in the message it prints).
pub const SOURCE: usize = 16;
/// Parentheses and unary operators in `$((…))`.
pub const ARITH: usize = 200;
/// `[[ … ]]` and `test` / `[` expressions.
pub const COND: usize = 64;
/// A lesson goal's `all`/`any`/`not` predicates.
pub const GOALS: usize = 32;

/// A nesting counter with a limit: [`Depth::enter`] before descending, [`Depth::leave`] after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Depth {
    level: usize,
    max: usize,
}

/// Input nested deeper than a [`Depth`]'s limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooDeep {
    /// The limit that was passed.
    pub max: usize,
}

impl fmt::Display for TooDeep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exceeded max depth of {}", self.max)
    }
}

impl Depth {
    /// A counter at level 0 that allows `max` levels.
    pub const fn new(max: usize) -> Depth {
        Depth { level: 0, max }
    }

    /// Goes one level deeper, or refuses past the limit (the level is then unchanged).
    pub fn enter(&mut self) -> Result<(), TooDeep> {
        if self.level >= self.max {
            return Err(TooDeep { max: self.max });
        }
        self.level += 1;
        Ok(())
    }

    /// Comes back up one level.
    pub fn leave(&mut self) {
        self.level = self.level.saturating_sub(1);
    }

    /// The current level (0 at the top).
    #[cfg(test)]
    pub fn level(&self) -> usize {
        self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_refuses_past_the_limit() {
        let mut d = Depth::new(2);
        assert_eq!(d.enter(), Ok(()));
        assert_eq!(d.enter(), Ok(()));
        assert_eq!(d.enter(), Err(TooDeep { max: 2 }));
        assert_eq!(d.level(), 2);
        d.leave();
        assert_eq!(d.enter(), Ok(()));
        d.leave();
        d.leave();
        d.leave();
        assert_eq!(d.level(), 0);
        assert_eq!(TooDeep { max: 64 }.to_string(), "exceeded max depth of 64");
    }
}
