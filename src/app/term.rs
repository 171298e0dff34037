//! What the terminal and the environment decide about output: colour, width, progress.
//! Pure functions of values read once ([`Env::from_process`] is the only reader).

use std::ffi::OsStr;

use crate::cli::ColorChoice;

/// The width text output is fitted to when neither `$COLUMNS` nor a terminal says.
pub const DEFAULT_WIDTH: usize = 100;

/// The environment variables that shape output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Env {
    /// `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
    pub no_color: bool,
    /// `TERM=dumb`: a terminal that understands no escape codes (Emacs shell, some CI logs).
    pub dumb_term: bool,
    /// `$COLUMNS`, when it is a positive integer.
    pub columns: Option<usize>,
}

impl Env {
    /// Reads `NO_COLOR`, `TERM` and `COLUMNS` from the process environment.
    pub fn from_process() -> Env {
        let var = std::env::var_os;
        Env::from_vars(
            var("NO_COLOR").as_deref(),
            var("TERM").as_deref(),
            var("COLUMNS").as_deref(),
        )
    }

    /// The same decisions from given values (`None` = unset).
    pub fn from_vars(
        no_color: Option<&OsStr>,
        term: Option<&OsStr>,
        columns: Option<&OsStr>,
    ) -> Env {
        Env {
            no_color: no_color.is_some_and(|v| !v.is_empty()),
            dumb_term: term.is_some_and(|t| t == "dumb"),
            columns: columns
                .and_then(OsStr::to_str)
                .and_then(|c| c.trim().parse::<usize>().ok())
                .filter(|&c| c > 0),
        }
    }
}

/// Whether text output is coloured: `always` and `never` as said; `auto` only on a terminal
/// that is not dumb, and not when `NO_COLOR` is set.
pub fn color(choice: ColorChoice, stdout_is_tty: bool, env: &Env) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_tty && !env.dumb_term && !env.no_color,
    }
}

/// The width text output is fitted to: `$COLUMNS` when set, else the terminal's width (when
/// stdout is one and reports it), else [`DEFAULT_WIDTH`].
pub fn width(env: &Env, terminal_columns: Option<usize>) -> usize {
    env.columns
        .or(terminal_columns.filter(|&c| c > 0))
        .unwrap_or(DEFAULT_WIDTH)
}

/// Whether a live run draws progress: only on a stderr terminal that can move its cursor,
/// and not with `-q`.
pub fn progress(stderr_is_tty: bool, quiet: bool, env: &Env) -> bool {
    stderr_is_tty && !quiet && !env.dumb_term
}

#[cfg(test)]
mod tests;
