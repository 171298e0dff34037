use super::*;

fn env(no_color: bool, dumb_term: bool) -> Env {
    Env {
        no_color,
        dumb_term,
        columns: None,
    }
}

#[test]
fn the_colour_table() {
    use ColorChoice::{Always, Auto, Never};
    // (choice, stdout is a tty, NO_COLOR set, TERM=dumb) → colour
    let table = [
        (Auto, true, false, false, true),
        (Auto, false, false, false, false),
        (Auto, true, true, false, false),
        (Auto, true, false, true, false),
        (Auto, true, true, true, false),
        (Always, false, false, false, true),
        (Always, true, true, true, true),
        (Never, true, false, false, false),
        (Never, false, false, false, false),
    ];
    for (choice, tty, no_color, dumb, want) in table {
        assert_eq!(
            color(choice, tty, &env(no_color, dumb)),
            want,
            "{choice:?} tty={tty} NO_COLOR={no_color} dumb={dumb}"
        );
    }
}

#[test]
fn environment_values_are_read_as_documented() {
    let os = |s: &'static str| Some(OsStr::new(s));
    assert_eq!(Env::from_vars(None, None, None), Env::default());
    assert!(Env::from_vars(os("1"), None, None).no_color);
    assert!(
        !Env::from_vars(os(""), None, None).no_color,
        "an empty NO_COLOR is unset"
    );
    assert!(Env::from_vars(None, os("dumb"), None).dumb_term);
    assert!(!Env::from_vars(None, os("xterm-256color"), None).dumb_term);
    assert!(!Env::from_vars(None, os("dumber"), None).dumb_term);
    let cols = |c| Env::from_vars(None, None, os(c)).columns;
    assert_eq!(cols("80"), Some(80));
    assert_eq!(cols(" 132 "), Some(132));
    assert_eq!(cols("0"), None);
    assert_eq!(cols("-5"), None);
    assert_eq!(cols("wide"), None);
    assert_eq!(cols(""), None);
}

#[test]
fn width_prefers_columns_then_the_terminal_then_100() {
    let with_columns = |c| Env {
        columns: c,
        ..Env::default()
    };
    assert_eq!(width(&with_columns(Some(80)), Some(200)), 80);
    assert_eq!(width(&with_columns(Some(80)), None), 80);
    assert_eq!(width(&with_columns(None), Some(132)), 132);
    assert_eq!(
        width(&with_columns(None), Some(0)),
        100,
        "a 0-wide tty says nothing"
    );
    assert_eq!(width(&with_columns(None), None), 100);
    assert_eq!(DEFAULT_WIDTH, 100);
}

#[test]
fn progress_only_on_a_capable_stderr_terminal_without_quiet() {
    // (stderr is a tty, -q, TERM=dumb) → progress
    let table = [
        (true, false, false, true),
        (false, false, false, false),
        (true, true, false, false),
        (true, false, true, false),
        (false, true, false, false),
    ];
    for (tty, quiet, dumb, want) in table {
        assert_eq!(
            progress(tty, quiet, &env(false, dumb)),
            want,
            "tty={tty} quiet={quiet} dumb={dumb}"
        );
    }
    assert!(
        progress(true, false, &env(true, false)),
        "NO_COLOR is about colour only"
    );
}
