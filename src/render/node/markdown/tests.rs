use super::*;
use crate::render::node::tests::{fixture, plain_report, report};

fn draw(r: &NodeReport) -> String {
    let mut out = Vec::new();
    render(r, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn kubectl_cells_are_byte_exact_and_tab_separated_in_code_blocks() {
    let out = draw(&plain_report(false));
    assert!(out.starts_with(
        "# ktrace: node `n`\n\n**Why do `kubectl top node n` and `kubectl describe node n` show \
         different numbers?**\n\n- **top**: `kubectl top node n` measures use"
    ));
    assert!(out.contains(
        "```text\nNAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\nn\t1200m\t34%\t3500Mi\t113%\n```\n"
    ));
    assert!(
        out.contains("\nn\t1200m\t30%\t3500Mi\t85%\n```\n"),
        "--show-capacity row"
    );
    assert!(out.contains(
        "```text\nAllocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n\
         \x20 Resource\tRequests\tLimits\n  --------\t--------\t------\n  cpu\t1100m (31%)\t0 (0%)\n\
         \x20 memory\t1088Mi (35%)\t1088Mi (35%)\n  ephemeral-storage\t0 (0%)\t0 (0%)\n```\n"
    ), "{out}");
    assert!(out.contains(
        "Non-terminated Pods:\t(2 in total)\n  Namespace\tName\t\tCPU Requests\tCPU Limits\t\
         Memory Requests\tMemory Limits\tAge\n"
    ));
    assert!(out.contains("\n  ns\tsmall\t\t100m (2%)\t0 (0%)\t64Mi (2%)\t64Mi (2%)\t24h\n"));
    assert!(out.contains("| usage (top node) | 1200m (34%) | 3.4Gi (113%) |\n"));
    assert!(out.contains("| `ns/small` | 100m | none | 400m | 4.00× |\n"));
    assert!(out.contains(
        "**Verdict:** consistent · exit 0: every source was read; the two commands measure \
         different things, side by side below.\n"
    ));
    let order = [
        "## Side by side",
        "## `kubectl top node`",
        "Allocated resources",
        "## Pods by cpu",
        "## Findings",
        "Non-terminated Pods",
    ];
    let at: Vec<usize> = order.iter().map(|h| out.find(h).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
}

#[test]
fn missing_sources_are_named_and_the_verdict_is_partial() {
    let out = draw(&plain_report(true));
    assert!(out.contains(
        "- **describe**: `kubectl describe node n`'s Allocated resources are unknown: the pods on \
         the node are not readable: pods is forbidden: User \"u\" cannot list resource \"pods\" — \
         needs `list pods` at cluster scope (all namespaces)\n"
    ), "{out}");
    assert!(out.contains("**Verdict:** partial · exit 3: some sources are missing: list pods at cluster scope (HTTP 403)"));
    assert!(out.contains("\nn\t<unknown>\t<unknown>\t<unknown>\t<unknown>\n"));
    assert!(out.contains("- **warning** `pods-list-missing`: listing pods"));
    assert!(out.contains("## `kubectl describe node`: Non-terminated Pods\n\nUnknown: the pods on the node are not readable"));
}

#[test]
fn hostile_names_cannot_break_out_of_code_or_drive_the_terminal() {
    let node = "n\u{1b}]0;x\u{7}";
    let pod = "p```\n# pwned\t|x\u{9b}";
    let out = draw(&report(&fixture(node, pod), node, false));
    for bad in ['\u{1b}', '\u{7}', '\u{9b}'] {
        assert!(!out.contains(bad), "{bad:?} passed raw");
    }
    assert!(!out.lines().any(|l| l.starts_with("# pwned")), "{out}");
    // In kubectl's rows the name's tab and newline are escaped: no column or line shifts.
    assert!(
        out.contains("\n  ns\tp```\\u{a}# pwned\\u{9}|x\\u{9b}\t\t100m (2%)\t"),
        "{out}"
    );
    // The fences around them are longer than the name's backtick run.
    assert!(out.contains("````text\nNon-terminated Pods:"), "{out}");
    assert!(
        out.contains("| ````ns/p```\\u{a}# pwned\\u{9}\\|x\\u{9b}```` | 100m | none | 400m |"),
        "{out}"
    );
    assert!(
        out.contains("request: ns/p\\`\\`\\`\\\\u{a}# pwned"),
        "{out}"
    );
    assert!(
        out.contains("# ktrace: node `n\\u{1b}]0;x\\u{7}`\n"),
        "{out}"
    );
}
