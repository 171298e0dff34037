use super::*;
use crate::exposition::parse::parse;

#[test]
fn the_working_set_families_are_excerpted_verbatim_in_body_order() {
    let text = "# HELP container_memory_rss RSS.\n\
                # TYPE container_memory_rss gauge\n\
                container_memory_rss{container=\"a\"} 7\n\
                # HELP container_memory_working_set_bytes Current working set.\r\n\
                # TYPE container_memory_working_set_bytes gauge\n\
                container_memory_working_set_bytes{container=\"a\",id=\"/x\\\\y\"} 8.8784896e+07 1636128359127\n\
                pod_memory_working_set_bytes{pod=\"p\"} 5\n\
                container_memory_working_set_bytes_total 3\n\
                container_memory_working_set_bytes 9\n";
    assert_eq!(
        family_lines(&parse(text)),
        "# HELP container_memory_working_set_bytes Current working set.\n\
         # TYPE container_memory_working_set_bytes gauge\n\
         container_memory_working_set_bytes{container=\"a\",id=\"/x\\\\y\"} 8.8784896e+07 1636128359127\n\
         pod_memory_working_set_bytes{pod=\"p\"} 5\n\
         container_memory_working_set_bytes 9"
    );
}

#[test]
fn a_body_without_working_sets_has_no_excerpt_lines() {
    assert_eq!(family_lines(&parse("container_memory_rss 1\n")), "");
    assert_eq!(family_lines(&parse("")), "");
}
