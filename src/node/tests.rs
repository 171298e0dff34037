use super::*;
use serde_json::json;

#[test]
fn rules_follow_the_kubectl_minor_version() {
    let r = |v| KubectlRules::from_git_version(v);
    assert_eq!(r("v1.32.4-dispatcher"), Some(KubectlRules::V1_32));
    assert_eq!(r("v1.31.0"), Some(KubectlRules::V1_32));
    assert_eq!(r("v1.33.0"), Some(KubectlRules::V1_33));
    assert_eq!(r("1.35.1"), Some(KubectlRules::V1_33));
    assert_eq!(r("v2.0"), None);
    assert_eq!(r("v1.x"), None);
}

#[test]
fn list_items_and_quantities_are_read_leniently_but_never_panic() {
    assert_eq!(items(&json!({"items": [1, 2]}), "pods").unwrap().len(), 2);
    assert_eq!(items(&json!([1]), "pods").unwrap().len(), 1);
    assert_eq!(items(&json!({"items": null}), "pods").unwrap().len(), 0);
    assert!(
        items(&json!({"kind": "x"}), "pods")
            .unwrap_err()
            .contains("pods is not a list")
    );
    assert_eq!(parse_value(&json!(2), "cpu").unwrap().canonical(), "2");
    assert_eq!(
        parse_value(&json!("1500m"), "cpu").unwrap().canonical(),
        "1500m"
    );
    let e = parse_value(&json!("12x"), "requests.cpu").unwrap_err();
    assert!(
        e.starts_with("requests.cpu: invalid quantity \"12x\""),
        "{e}"
    );
    assert!(parse_value(&json!(null), "cpu").is_err());
    let pod = json!({"metadata": {"namespace": "ns", "name": "p"}});
    assert_eq!(key(&pod), "ns/p");
    assert_eq!(key(&json!(3)), "/");
}
