use super::*;

#[test]
fn only_openshift_build_suffixes_count() {
    for (v, yes) in [
        ("v1.21.1+6438632", true),
        ("v1.27.6+f67aeb3", true),
        ("v1.27.4+k3s1", false),
        ("v1.27.4+rke2r1", false),
        ("v1.9.2-gke.1", false),
        ("v1.30.0", false),
        ("v1.21.1+643863", false),
    ] {
        assert_eq!(commit_suffix(v), yes, "{v}");
    }
}
